// The ledger's stores for its tests and its longer crash run (benches/ledger-crash.mjs): fresh databases
// (a SQLite file, or a database in the test's Postgres cluster), handles on them, worker processes
// (ledger-worker.mjs), the tables' invariants read with SQL, and one crash round.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";

const here = dirname(fileURLToPath(import.meta.url));

/** The stores of one run: SQLite files in `dir`, databases in the Postgres cluster at `postgresUrl`.
 * `Ledger`: the package's (the installed tarball in the tests, pkg/ in the benchmarks). */
export function ledgerStores({ postgresUrl, dir, Ledger }) {
  let made = 0;
  /** A fresh database of a kind: a new SQLite file, or a new Postgres database. */
  async function fresh(kind) {
    made += 1;
    if (kind !== "pg") return { kind, target: join(dir, `ledger-${made}.db`) };
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ledger_${made}`);
    await admin.end();
    return { kind, target: postgresUrl.replace(/\/postgres$/, `/ledger_${made}`) };
  }

  /** A handle on it in this process, and how to close it. */
  function handle({ kind, target }) {
    if (kind === "pg") {
      const pool = new pg.Pool({ connectionString: target, max: 4 });
      return [pool, () => pool.end()];
    }
    const db = new Database(target, { timeout: 20_000 });
    return [db, () => db.close()];
  }

  /** Runs one worker process; resolves to its parsed output. */
  function worker(store, job, node = process.execPath) {
    return new Promise((resolve, reject) => {
      const child = spawn(
        node,
        [join(here, "ledger-worker.mjs"), JSON.stringify({ store: store.kind, target: store.target, ...job })],
        {
          cwd: here,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("exit", (code) =>
        code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`)),
      );
    });
  }

  /** The tables' invariants, read with SQL: each invoice paid once, each mutation paying at most one, paid
   * invoices and matched decisions agreeing both ways. Resolves to [paid invoices, decisions]. */
  async function invariants(store) {
    const [db, close] = handle(store);
    const q = async (sql) => {
      if (store.kind === "pg") return Number(Object.values((await db.query(sql)).rows[0])[0]);
      return Object.values(db.prepare(sql).get())[0];
    };
    try {
      assert.equal(
        await q(
          "SELECT count(*) FROM (SELECT paid_by FROM cekmutasi_invoices WHERE paid_by IS NOT NULL GROUP BY paid_by HAVING count(*) > 1) t",
        ),
        0,
      );
      assert.equal(
        await q(
          "SELECT count(*) FROM cekmutasi_invoices i WHERE i.status = 'paid' AND NOT EXISTS (SELECT 1 FROM cekmutasi_decisions d WHERE d.mutation_id = i.paid_by AND d.outcome = 'matched' AND d.invoice_id = i.id)",
        ),
        0,
      );
      assert.equal(
        await q(
          "SELECT count(*) FROM cekmutasi_decisions d WHERE d.outcome = 'matched' AND NOT EXISTS (SELECT 1 FROM cekmutasi_invoices i WHERE i.id = d.invoice_id AND i.paid_by = d.mutation_id)",
        ),
        0,
      );
      return [
        await q("SELECT count(*) FROM cekmutasi_invoices WHERE status = 'paid'"),
        await q("SELECT count(*) FROM cekmutasi_decisions"),
      ];
    } finally {
      await close();
    }
  }

  const seconds = () => Math.floor(Date.now() / 1000);
  const creditRow = (id, amount, ts = seconds()) => ({
    id,
    unix_timestamp: ts,
    type: "credit",
    amount,
    description: "TRF",
  });

  /** A fresh store's first `count` invoices (INV-0, …) of `price`, opened a minute ago: their amounts. */
  async function openInvoices(store, count, price) {
    const [db, close] = handle(store);
    try {
      const ledger = await Ledger.open(db);
      const amounts = [];
      for (let i = 0; i < count; i++)
        amounts.push((await ledger.openInvoice({ id: `INV-${i}`, price, created_at: seconds() - 60 })).amount);
      return amounts;
    } finally {
      await close();
    }
  }

  /** Waits until no other session works in the store's Postgres database. */
  async function quiet({ target }) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      for (let i = 0; i < 200; i++) {
        const { rows } = await client.query(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        if (Number(rows[0].n) === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error("the killed client's session never ended");
    } finally {
      await client.end();
    }
  }

  /** One crash round on a fresh store of `kind`: a worker applying a report is killed (SIGKILL) at a random
   * moment, then a fresh worker applies the whole report. Row by row (`whole` false): 60 invoices' credits
   * and 20 stray ones, one `apply` each. Whole: 250 credits and 50 strays (distinct amounts) in one `apply`,
   * which decides them in three rounds of 100 rows, each round's writes atomic: what a kill leaves is a
   * whole number of rounds. Resolves to how many rows the killed one had decided. */
  async function crashRound(kind, { whole = false } = {}) {
    const store = await fresh(kind);
    const [paying, stray] = whole ? [250, 50] : [60, 20];
    const amounts = await openInvoices(store, paying, 90000);
    const rows = [
      ...amounts.map((a, i) => creditRow(5000 + i, a)),
      ...Array.from({ length: stray }, (_, i) => creditRow(6000 + i, whole ? `${i + 1}.50` : "1.00")),
    ];
    const child = spawn(
      process.execPath,
      [
        join(here, "ledger-worker.mjs"),
        JSON.stringify({ store: kind, target: store.target, job: "apply", each: !whole, rows }),
      ],
      { cwd: here, stdio: ["ignore", "ignore", "pipe"] },
    );
    const exited = new Promise((r) => child.once("exit", r));
    // Killed at a random moment of its work: after it opened the ledger, within the time the report takes.
    await new Promise((r) => child.stderr.once("data", r));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (kind === "pg" || whole ? 150 : 60))));
    child.kill("SIGKILL");
    await exited;
    // Postgres may still be running the killed client's last batch (sent as one query, it commits at its end
    // whether or not anyone waits for the answer: as if the kill came just after): read once it is over.
    if (kind === "pg") await quiet(store);
    const [, decidedBefore] = await invariants(store);
    if (whole) assert.equal(decidedBefore % 100, 0, `a round half-written: ${decidedBefore} rows decided`);
    // A fresh process applies the whole report: what was committed comes back replayed, the rest is decided.
    const outcomes = await worker(store, { job: "apply", rows });
    assert.equal(outcomes.filter((o) => o.replayed).length, decidedBefore);
    assert.equal(outcomes.filter((o) => o.outcome === "matched").length, paying);
    assert.deepEqual(await invariants(store), [paying, rows.length]);
    return { decidedBefore, rows: rows.length };
  }

  return { fresh, handle, worker, invariants, openInvoices, crashRound, seconds, creditRow };
}
