// Matching through the package as users import it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CekMutasiError, Matcher, matchPayments, parseCallback, uniqueAmount } from "cekmutasi";
import { SEED } from "./helpers.mjs";

function codeAndPath(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    return [e.code, e.path];
  }
  assert.fail("did not throw");
}

const row = (id, amount, extra = {}) => ({
  id,
  unix_timestamp: 1000 + id,
  type: "credit",
  amount,
  description: "TRANSFER",
  ...extra,
});

test("uniqueAmount", () => {
  assert.equal(uniqueAmount("150000", []), "150001.00");
  assert.equal(uniqueAmount("150000.00", ["150001.00", "150002"]), "150003.00");
  assert.equal(uniqueAmount("150000", ["149999.00"], { mode: "subtract" }), "149998.00");
  assert.equal(uniqueAmount("10.50", [], { min: 100, max: 200 }), "110.50");
  assert.deepEqual(
    codeAndPath(() => uniqueAmount("150000", ["150001"], { min: 1, max: 1 })),
    ["unique_amount_exhausted", undefined],
  );
  assert.deepEqual(
    codeAndPath(() => uniqueAmount("150.000", [])),
    ["invalid_params", "base"],
  );
  assert.deepEqual(
    codeAndPath(() => uniqueAmount("1", ["2", "x"])),
    ["invalid_params", "taken[1]"],
  );
  assert.deepEqual(
    codeAndPath(() => uniqueAmount("1", [], { mode: "both" })),
    ["invalid_params", "options.mode"],
  );
  assert.deepEqual(
    codeAndPath(() => uniqueAmount("1", [], { maxx: 5 })),
    ["invalid_params", "options.maxx"],
  );
});

test("matchPayments with a parsed report: exact pairs, debit ignored", () => {
  const report = parseCallback(SEED);
  const invoices = [
    { id: "INV-1", amount: "1400026.00", service_code: "bri" },
    { id: "INV-2", amount: 50000 }, // same amount as the debit: must stay unpaid
    { id: "INV-3", amount: "1400026.00", service_code: "bca" }, // another bank
  ];
  assert.deepEqual(matchPayments(invoices, report), {
    matched: [{ invoice_id: "INV-1", mutation_id: 1, amount: "1400026.00" }],
    ambiguous: [],
    unmatched: [],
    ignored: [{ mutation_id: 2, reason: "debit" }],
  });
});

test("a report is matched from its text, never converted back from objects", () => {
  const report = parseCallback(SEED);
  const touched = [];
  const spy = new Proxy(report, {
    get(target, key) {
      touched.push(typeof key === "symbol" ? key.description : key);
      return Reflect.get(target, key);
    },
  });
  const r = matchPayments([{ id: "A", amount: "1400026" }], spy);
  assert.deepEqual(
    r.matched.map((m) => m.invoice_id),
    ["A"],
  );
  assert.deepEqual(touched, ["cekmutasi.source"]);
  // The same after content was read, and with the plain object.
  report.content;
  assert.equal(matchPayments([{ id: "A", amount: "1400026" }], report).matched.length, 1);
  assert.equal(matchPayments([{ id: "A", amount: "1400026" }], report.toJSON()).matched.length, 1);
});

test("ambiguity is reported, oldest only on request", () => {
  const invoices = [
    { id: "A", amount: "100.00", created_at: 50 },
    { id: "B", amount: "100.00", created_at: 10 },
  ];
  const rows = [row(1, "100.00")];
  assert.deepEqual(matchPayments(invoices, rows).ambiguous, [{ mutation_id: 1, invoice_ids: ["B", "A"] }]);
  assert.deepEqual(matchPayments(invoices, rows, { on_ambiguous: "oldest" }).matched, [
    { invoice_id: "B", mutation_id: 1, amount: "100.00" },
  ]);
  const withRef = [{ ...invoices[0], reference: "inv-a" }, invoices[1]];
  assert.deepEqual(
    matchPayments(withRef, [row(1, "100", { description: "TRSF INV-A BUDI" })]).matched.map((m) => m.invoice_id),
    ["A"],
  );
});

test("invalid input names the field", () => {
  assert.deepEqual(
    codeAndPath(() => matchPayments([{ id: "A", amount: "1.001" }], [])),
    ["invalid_params", "invoices[0].amount"],
  );
  assert.deepEqual(
    codeAndPath(() =>
      matchPayments(
        [
          { id: "A", amount: 1 },
          { id: "A", amount: 2 },
        ],
        [],
      ),
    ),
    ["invalid_params", "invoices[1].id"],
  );
  assert.deepEqual(
    codeAndPath(() => matchPayments([], [row(1, "1e3")])),
    ["invalid_params", "mutations[0].amount"],
  );
  assert.deepEqual(
    codeAndPath(() => matchPayments([], [], { seen: [1.5] })),
    ["invalid_params", "options.seen[0]"],
  );
  assert.deepEqual(
    codeAndPath(() => matchPayments([], [], { graceSeconds: 5 })),
    ["invalid_params", "options.graceSeconds"],
  );
});

test("Matcher: stateful, idempotent, restorable", () => {
  const m = new Matcher({ grace_seconds: 60 });
  m.addAll([
    { id: "A", amount: uniqueAmount("100000", []) },
    { id: "B", amount: "100002.00", expires_at: 900 },
  ]);
  m.add({ id: "C", amount: "100003.00" });
  assert.equal(m.size, 3);
  assert.deepEqual(
    codeAndPath(() => m.add({ id: "C", amount: "1.00" })),
    ["invalid_params", "invoice.id"],
  );
  assert.deepEqual(
    codeAndPath(() => m.add({ id: "D", amount: "-1.00" })),
    ["invalid_params", "invoice.amount"],
  );
  assert.equal(m.remove("C"), true);
  assert.equal(m.remove("C"), false);

  const first = m.match([row(1, "100001.00"), row(2, "100002.00"), row(3, "999.00")]);
  assert.deepEqual(
    first.matched.map((p) => [p.invoice_id, p.mutation_id]),
    [["A", 1]],
  );
  // Row 2 came at 1002, after B expired at 900 + 60 s of grace.
  assert.deepEqual(first.unmatched, [2, 3]);
  assert.equal(m.size, 1);

  const again = m.match([row(1, "100001.00")]);
  assert.deepEqual(again.ignored, [{ mutation_id: 1, reason: "seen" }]);
  assert.deepEqual(m.seenIds(), [1, 2, 3]);

  const restarted = new Matcher({ seen: m.seenIds() });
  restarted.add({ id: "A2", amount: "100001.00" });
  assert.deepEqual(restarted.match([row(1, "100001.00")]).matched, []);
  assert.deepEqual(restarted.match(parseCallback(SEED)).ignored, [
    { mutation_id: 1, reason: "seen" },
    { mutation_id: 2, reason: "seen" },
  ]);
});

test("text beyond ASCII crosses intact: ids, references, descriptions, string bodies", () => {
  const m = new Matcher({ require_reference: true });
  m.addAll([
    { id: "INV-Ω-1", amount: "75000.00", reference: "pesanan-é1" },
    { id: "INV-🙂-2", amount: "75000.00", reference: "pesanan-é2" },
  ]);
  const r = m.match([
    row(7, "75000.00", { description: "TRSF Pesanan-É2 dari Zoë 🙂" }),
    row(8, "75000.00", { description: "pesanan-é1 ✓" }),
  ]);
  // É is not ASCII: references match ignoring ASCII case only, so row 7 pays nothing.
  assert.deepEqual(r.matched, [{ invoice_id: "INV-Ω-1", mutation_id: 8, amount: "75000.00" }]);
  assert.deepEqual(r.unmatched, [7]);

  const body = SEED.replace('"Berita transfer"', '"Transfer dari Zoë — 🙂 Ω"');
  assert.notEqual(body, SEED);
  const report = parseCallback(body);
  assert.equal(report.content.data[0].description, "Transfer dari Zoë — 🙂 Ω");
  assert.equal(parseCallback(new TextEncoder().encode(body)).content.data[0].description, "Transfer dari Zoë — 🙂 Ω");
});
