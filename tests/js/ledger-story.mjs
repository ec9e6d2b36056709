// The ledger's story, the same in every store: unique amounts, a report applied twice, ambiguity and a
// person's settlement, cancelling, bad input. Exported for ledger.test.mjs; run as a script (Node 24 with
// node:sqlite, Deno with node:sqlite, Bun with bun:sqlite) it prints "ok" or throws.
import assert from "node:assert/strict";
import { CekMutasiError, Ledger, parseCallback } from "cekmutasi";
import { reportOf } from "./helpers.mjs";

const strip = (outcomes) =>
  outcomes.map(({ decided_at, ...o }) => {
    assert.equal(typeof decided_at, "number");
    return o;
  });

export async function story(db) {
  const ledger = await Ledger.open(db);
  await Ledger.open(db); // a second open finds the tables
  const now = Math.floor(Date.now() / 1000);
  assert.deepEqual(
    [
      (await ledger.openInvoice({ id: "INV-1", price: "150000" })).amount,
      (await ledger.openInvoice({ id: "INV-2", price: 150000, reference: "INV-2" })).amount,
      (await ledger.openInvoice({ id: "INV-3", amount: "275000.00", created_at: now - 60 })).amount,
      (await ledger.openInvoice({ id: "INV-4", amount: 275000 })).amount,
    ],
    ["150001.00", "150002.00", "275000.00", "275000.00"],
  );
  // The transfers come after the invoices (read the clock again: the opens may have crossed a second).
  const paidAt = Math.floor(Date.now() / 1000);
  const body = JSON.stringify(
    reportOf([
      { id: 11, unix_timestamp: paidAt, type: "credit", amount: "150001.00", description: "TRF" },
      { id: 12, unix_timestamp: paidAt, type: "credit", amount: 275000, description: "TRF" },
      { id: 13, unix_timestamp: paidAt, type: "credit", amount: "99999.00", description: "TRF" },
      { id: 14, unix_timestamp: paidAt, type: "debit", amount: "5000.00", description: "FEE" },
    ]),
  );
  const first = await ledger.apply(parseCallback(body));
  assert.deepEqual(strip(first), [
    { mutation_id: 11, outcome: "matched", amount: "150001.00", invoice_id: "INV-1", replayed: false },
    { mutation_id: 12, outcome: "ambiguous", amount: "275000.00", invoice_ids: ["INV-3", "INV-4"], replayed: false },
    { mutation_id: 13, outcome: "unmatched", amount: "99999.00", replayed: false },
    { mutation_id: 14, outcome: "debit", amount: "5000.00", replayed: false },
  ]);
  // The same callback again: every decision replayed, nothing paid twice.
  const again = await ledger.apply(parseCallback(body));
  assert.deepEqual(
    strip(again),
    strip(first).map((o) => ({ ...o, replayed: true })),
  );
  assert.deepEqual(
    strip(await ledger.unsettled()).map((o) => o.mutation_id),
    [12, 13],
  );
  // A person decides the ambiguous credit.
  const settled = await ledger.settle(12, "INV-3");
  assert.deepEqual([settled.outcome, settled.invoice_id, settled.settled], ["matched", "INV-3", true]);
  assert.deepEqual(
    strip(await ledger.unsettled()).map((o) => o.mutation_id),
    [13],
  );
  const refused = async (p) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof CekMutasiError, String(e));
      return `${e.code} ${e.path}`;
    }
    assert.fail("accepted");
  };
  assert.equal(await refused(ledger.settle(13, "INV-4")), "invalid_params invoiceId"); // 99999.00 is not 275000.00
  assert.equal(await refused(ledger.settle(12, "INV-4")), "invalid_params mutationId"); // already matched
  assert.equal(await refused(ledger.openInvoice({ id: "INV-1", price: 1 })), "invalid_params id");
  assert.equal(await refused(ledger.openInvoice({ id: "X" })), "invalid_params amount");
  assert.equal(await refused(ledger.openInvoice({ id: "X", price: "1,5" })), "invalid_params price");
  assert.equal(await refused(ledger.settle("12", "INV-4")), "invalid_params mutationId");
  assert.equal(await ledger.cancelInvoice("INV-2"), true);
  assert.equal(await ledger.cancelInvoice("INV-2"), false);
  assert.deepEqual(
    [(await ledger.invoice("INV-1")).status, (await ledger.invoice("INV-1")).paid_by, await ledger.invoice("nope")],
    ["paid", 11, null],
  );
  // Text that SQL would misread, kept exactly (Postgres through pg gets it written into the SQL as literals).
  const odd = "O'Brien \\'; DROP TABLE cekmutasi_invoices; -- ‘ü’ $1 ?";
  await ledger.openInvoice({ id: odd, amount: "4321.00", reference: `${odd}\\` });
  assert.deepEqual([(await ledger.invoice(odd)).id, (await ledger.invoice(odd)).reference], [odd, `${odd}\\`]);
  assert.equal(await refused(ledger.openInvoice({ id: "NUL\u0000", amount: "4322.00" })), "invalid_params id");
  // INV-2's amount is held (a customer who pays it late lands in unsettled, not on a stranger's invoice).
  assert.equal((await ledger.openInvoice({ id: "INV-5", price: 150000 })).amount, "150003.00");
  return "ok";
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Bun: bun:sqlite's Database; Node 24: node:sqlite's DatabaseSync.
  const db = globalThis.Bun
    ? new (await import("bun:sqlite")).Database(":memory:")
    : new (await import("node:sqlite")).DatabaseSync(":memory:");
  process.stdout.write(await story(db));
}
