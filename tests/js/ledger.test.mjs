// The Ledger through the package, on real databases: SQLite (better-sqlite3 in Node 20, node:sqlite in
// Node 24, one file shared by several processes) and PostgreSQL (a fresh cluster, tests/js/postgres.mjs).
// Several OS processes run at once (tests/js/ledger-worker.mjs); some are killed with SIGKILL mid-way.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { CekMutasi, CekMutasiError, Ledger } from "cekmutasi";
import { startSandbox } from "cekmutasi/sandbox";
import { ledgerStores } from "./ledger-stores.mjs";
import { story } from "./ledger-story.mjs";
import { startPostgres } from "./postgres.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const node24 = join(here, "..", "..", ".tools", "node24", "node");
let postgres;
let dir;
let stores;
let fresh;
let handle;
let worker;
let invariants;
before(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), "cekmutasi-ledger-"));
  stores = ledgerStores({ postgresUrl: postgres.url, dir, Ledger });
  ({ fresh, handle, worker, invariants } = stores);
});
const creditRow = (...args) => stores.creditRow(...args);
after(() => {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A seeded shuffle, so a failure can be run again. */
function shuffled(list, seed) {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const counts = {};
const count = (store, scenario) => {
  counts[`${store} ${scenario}`] = (counts[`${store} ${scenario}`] ?? 0) + 1;
};
after(() => console.log(`ledger tests by store and scenario: ${JSON.stringify(counts)}`));

test("the story in every store: better-sqlite3 (Node 20), node:sqlite (Node 24, Deno), bun:sqlite, pg, postgres.js", async () => {
  assert.equal(await story(new Database(":memory:")), "ok");
  count("better-sqlite3", "story");
  const bin = (name) => join(here, "..", "..", "node_modules", ".bin", name);
  for (const [runtime, args, name] of [
    [node24, [], "node:sqlite"],
    [bin("deno"), ["run", "--allow-read", "--allow-env"], "node:sqlite in Deno"],
    [bin("bun"), [], "bun:sqlite"],
  ]) {
    const out = await promisify(execFile)(runtime, [...args, join(here, "ledger-story.mjs")], { cwd: here });
    assert.equal(out.stdout, "ok", name);
    count(name, "story");
  }
  const [pool, close] = handle(await fresh("pg"));
  try {
    assert.equal(await story(pool), "ok");
  } finally {
    await close();
  }
  count("pg", "story");
  const { default: postgresJs } = await import("postgres");
  const sql = postgresJs((await fresh("pg")).target, { max: 2, onnotice: () => {} });
  try {
    assert.equal(await story(sql), "ok");
  } finally {
    await sql.end();
  }
  count("postgres.js", "story");
});

test("a handle that is no database is config; a failing database is thrown as it is", async () => {
  for (const db of [undefined, null, {}, "sqlite.db", { query() {} }]) {
    await assert.rejects(Ledger.open(db), (e) => e instanceof CekMutasiError && e.code === "config" && e.path === "db");
  }
  const db = new Database(":memory:");
  const ledger = await Ledger.open(db);
  db.close();
  await assert.rejects(
    ledger.openInvoice({ id: "A", price: 1000 }),
    (e) => !(e instanceof CekMutasiError) && /not open/.test(e.message),
  );
});

test("catchUp: the payments whose callbacks never came, from the sandbox's search", async () => {
  const sandbox = await startSandbox({ port: 0 });
  try {
    const client = new CekMutasi({ apiKey: sandbox.apiKey, baseUrl: sandbox.url });
    const day = { from: "2018-04-09 00:00:00", to: "2018-04-09 00:30:00" };
    const rows = await client.searchAll("bank", { date: day });
    const credits = rows.filter((r) => r.type === "credit");
    const ledger = await Ledger.open(new Database(":memory:"));
    // Invoices for the first three credits of that half hour (created before them).
    for (const [i, c] of credits.slice(0, 3).entries())
      await ledger.openInvoice({ id: `INV-${i}`, amount: c.amount, created_at: c.unix_timestamp - 60 });
    const first = await ledger.catchUp(client, "bank", { date: day });
    assert.equal(first.length, rows.length);
    assert.deepEqual(
      first.filter((o) => o.outcome === "matched").map((o) => o.invoice_id),
      ["INV-0", "INV-1", "INV-2"],
    );
    assert.equal(first.filter((o) => o.outcome === "debit").length, rows.length - credits.length);
    const again = await ledger.catchUp(client, "bank", { date: day });
    assert.ok(again.every((o) => o.replayed));
    count("better-sqlite3", "catch-up");
  } finally {
    await sandbox.close();
  }
});

for (const [kind, node, label] of [
  ["sqlite", process.execPath, "one SQLite file (better-sqlite3)"],
  ["node-sqlite", node24, "one SQLite file (node:sqlite, Node 24)"],
  ["pg", process.execPath, "Postgres"],
]) {
  test(`concurrency on ${label}: processes opening invoices at the same instant get distinct amounts`, async () => {
    const store = await fresh(kind);
    const at = Date.now() + 1500;
    const procs = 6;
    const results = await Promise.all(
      Array.from({ length: procs }, (_, p) =>
        worker(store, { job: "open", at, price: 50000, ids: Array.from({ length: 5 }, (_, i) => `P${p}-${i}`) }, node),
      ),
    );
    const amounts = results.flat().sort();
    assert.equal(amounts.length, 30);
    assert.equal(new Set(amounts).size, 30, `shared amounts: ${amounts}`);
    // The smallest codes, none skipped: 50001.00 to 50030.00.
    assert.deepEqual(amounts, Array.from({ length: 30 }, (_, i) => `${50001 + i}.00`).sort());
    count(kind, "concurrency");
  });
}

for (const kind of ["sqlite", "pg"]) {
  test(`concurrency on ${kind}: processes applying the same reports, shuffled, pay each invoice once and agree`, async () => {
    const store = await fresh(kind);
    const amounts = await stores.openInvoices(store, 20, 75000);
    const rows = [
      ...amounts.map((a, i) => creditRow(1000 + i, a)),
      ...Array.from({ length: 5 }, (_, i) => creditRow(2000 + i, "12345.00")),
    ];
    const at = Date.now() + 1500;
    const results = await Promise.all(
      [1, 2, 3, 4].map((seed) => worker(store, { job: "apply", at, each: true, rows: shuffled(rows, seed) })),
    );
    const byMutation = new Map();
    for (const outcomes of results)
      for (const o of outcomes) {
        const seen = byMutation.get(o.mutation_id) ?? [];
        seen.push(o);
        byMutation.set(o.mutation_id, seen);
      }
    assert.equal(byMutation.size, 25);
    for (const [m, seen] of byMutation) {
      assert.equal(
        seen.filter((o) => !o.replayed).length,
        1,
        `mutation ${m} decided ${seen.filter((o) => !o.replayed).length} times`,
      );
      const decisions = new Set(seen.map((o) => `${o.outcome} ${o.invoice_id ?? ""} ${o.decided_at}`));
      assert.equal(decisions.size, 1, `mutation ${m}: ${[...decisions]}`);
    }
    assert.deepEqual(await invariants(store), [20, 25]);
    count(kind, "concurrency");
  });

  test(`crash on ${kind}: a process killed mid-way (SIGKILL), then the whole report again: nothing paid twice, nothing lost`, async () => {
    const rounds = kind === "pg" ? 6 : 10;
    let midway = 0;
    for (let round = 0; round < rounds; round++) {
      // The last two: the whole report in one apply (three rounds of 100 rows), the others row by row.
      const { decidedBefore, rows } = await stores.crashRound(kind, { whole: round >= rounds - 2 });
      if (decidedBefore > 0 && decidedBefore < rows) midway += 1;
      count(kind, "crash");
    }
    console.log(`crash on ${kind}: ${rounds} kills, ${midway} of them mid-way through the report`);
    assert.ok(midway >= 1, "no kill landed mid-way: the timing needs a look");
  });
}
