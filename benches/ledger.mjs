// The Ledger's `apply` against a hand-written receiver with the same guarantees, on the same database, side
// by side in one Node process (rounds interleaved, each way on a fresh database, median and range printed):
// the baseline is the Cloudflare Worker example as it was before the Ledger (git show
// 67c56ba^:examples/cloudflare-worker/src/index.mjs): its tables and statements, run through the same
// driver, with the package's matchPayments deciding. Stores: SQLite (better-sqlite3, a file) and a real
// PostgreSQL 15 (tests/js/postgres.mjs); then on Postgres, credits per second with 1, 4 and 16 appliers at
// once (each its own connection, disjoint callbacks of 10 rows). Ratio > 1: the Ledger is faster.
//
//   node benches/ledger.mjs            (make bench runs it after make build)

import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { Ledger, matchPayments, parseCallback } from "../pkg/index.mjs";
import { reportOf } from "../tests/js/helpers.mjs";
import { startPostgres } from "../tests/js/postgres.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PAID = 300; // credits that pay an invoice
const STRAY = 100; // credits that pay nothing
const NOW = Math.floor(Date.now() / 1000);
const amountOf = (i) => `${100000 + i * 7}.00`;

/** One callback's report of these rows, parsed as a receiver has it. */
const report = (rows) => parseCallback(JSON.stringify(reportOf(rows)));
const credit = (id, amount) => ({
  id,
  unix_timestamp: NOW,
  type: "credit",
  amount,
  description: "TRF",
  balance: "0.00",
});
const ROWS = [
  ...Array.from({ length: PAID }, (_, i) => credit(10_000 + i, amountOf(i))),
  ...Array.from({ length: STRAY }, (_, i) => credit(20_000 + i, `${i + 1}.50`)),
];
/** Callbacks of `size` rows each. */
const callbacks = (rows, size) =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => report(rows.slice(i * size, (i + 1) * size)));

// ---- the baseline: the Worker example's tables and statements over a minimal driver interface ----

const BASELINE_SCHEMA = [
  `CREATE TABLE invoices (id TEXT PRIMARY KEY, amount TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT,
     reference TEXT, status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')), paid_by BIGINT)`,
  "CREATE INDEX invoices_open_amount ON invoices (amount) WHERE status = 'open'",
  "CREATE TABLE mutations (id BIGINT PRIMARY KEY, outcome TEXT NOT NULL, invoice_id TEXT, amount TEXT NOT NULL, received_at BIGINT NOT NULL)",
];

/** `?1`-style SQL as each driver wants it, converted once per statement (as a hand-written receiver's
 * statements are written once): Postgres numbers them `$1`; better-sqlite3 binds plain `?` by position, so
 * the values are picked in the order their placeholders appear. */
const once = (convert) => {
  const cache = new Map();
  return (sql) => cache.get(sql) ?? cache.set(sql, convert(sql)).get(sql);
};
const pgText = once((sql) => sql.replace(/\?(\d+)/g, "$$$1"));

/** The driver interface the baseline needs: one statement, or a batch in one transaction. */
function sqliteDriver(db) {
  const statement = once((sql) => ({
    st: db.prepare(sql.replace(/\?(\d+)/g, "?")),
    order: [...sql.matchAll(/\?(\d+)/g)].map((m) => m[1] - 1),
  }));
  const call = (method, sql, p) => {
    const { st, order } = statement(sql);
    return st[method](...order.map((i) => p[i]));
  };
  const batch = db.transaction((list) => list.map(([sql, ...p]) => call("run", sql, p)));
  return {
    first: async (sql, ...p) => call("get", sql, p) ?? null,
    all: async (sql, ...p) => call("all", sql, p),
    run: async (sql, ...p) => call("run", sql, p),
    batch: async (list) => batch.immediate(list),
  };
}
function pgDriver(client) {
  return {
    first: async (sql, ...p) => (await client.query(pgText(sql), p)).rows[0] ?? null,
    all: async (sql, ...p) => (await client.query(pgText(sql), p)).rows,
    run: async (sql, ...p) => client.query(pgText(sql), p),
    batch: async (list) => {
      await client.query("BEGIN");
      try {
        for (const [sql, ...p] of list) await client.query(pgText(sql), p);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    },
  };
}

/** The Worker example's processMutation, statement for statement. */
async function baselineMutation(db, mutation, content) {
  const done = await db.first("SELECT outcome, invoice_id FROM mutations WHERE id = ?1", mutation.id);
  if (done) return { mutation_id: mutation.id, outcome: "seen", earlier: done.outcome };
  const results = await db.all(
    "SELECT id, amount, created_at, expires_at, reference FROM invoices WHERE status = 'open' AND amount = ?1",
    mutation.amount,
  );
  const invoices = results.map(({ expires_at, reference, created_at, ...i }) => ({
    ...i,
    created_at: Number(created_at),
    ...(expires_at === null ? {} : { expires_at: Number(expires_at) }),
    ...(reference === null ? {} : { reference }),
  }));
  const result = matchPayments(invoices, { action: "payment_report", content: { ...content, data: [mutation] } });
  let outcome;
  let invoiceId = null;
  let statements;
  if (result.matched.length) {
    invoiceId = result.matched[0].invoice_id;
    outcome = "matched";
    statements = [
      ["UPDATE invoices SET status = 'paid', paid_by = ?1 WHERE id = ?2 AND status = 'open'", mutation.id, invoiceId],
      [
        "INSERT INTO mutations (id, outcome, invoice_id, amount, received_at) VALUES (?1, CASE WHEN (SELECT paid_by FROM invoices WHERE id = ?2) = ?1 THEN 'matched' ELSE 'lost_race' END, ?2, ?3, ?4)",
        mutation.id,
        invoiceId,
        mutation.amount,
        NOW,
      ],
    ];
  } else {
    outcome = result.ambiguous.length ? "ambiguous" : result.ignored.length ? result.ignored[0].reason : "unmatched";
    if (result.ambiguous.length) invoiceId = result.ambiguous[0].invoice_ids.join(",");
    statements = [
      [
        "INSERT INTO mutations (id, outcome, invoice_id, amount, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        mutation.id,
        outcome,
        invoiceId,
        mutation.amount,
        NOW,
      ],
    ];
  }
  try {
    await db.batch(statements);
  } catch (e) {
    if (/UNIQUE|PRIMARY KEY|duplicate key/i.test(String(e?.message)))
      return { mutation_id: mutation.id, outcome: "seen" };
    throw e;
  }
  if (outcome === "matched")
    outcome = (await db.first("SELECT outcome FROM mutations WHERE id = ?1", mutation.id)).outcome;
  return { mutation_id: mutation.id, outcome, invoice_id: invoiceId };
}
async function baselineCallback(db, report) {
  const outcomes = [];
  for (const m of report.content.data) outcomes.push(await baselineMutation(db, m, report.content));
  return outcomes;
}

// ---- the stores: a fresh database each time, with both ways' invoices open ----

let pgServer;
let made = 0;
const dir = mkdtempSync(join(tmpdir(), "cekmutasi-bench-ledger-"));
/** A TCP proxy to `port` that holds every chunk `ms` in each direction: a database across a network
 * (`ms` = 1: a round trip of about 2 ms, as to a managed Postgres in the same region). */
async function delayProxy(port, ms) {
  const proxy = createNetServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    const relay = (from, to) => {
      from.on("data", (chunk) => setTimeout(() => to.write(chunk), ms));
      from.on("end", () => setTimeout(() => to.end(), ms));
      from.on("error", () => to.destroy());
    };
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  return { port: proxy.address().port, close: () => proxy.close() };
}
let slowProxy;

/** A fresh database of a kind, with a handle for setting it up and one for applying through (the same,
 * but across the delaying proxy for `pg-2ms`). SQLite: a file, in its default (rollback journal) mode or WAL. */
async function freshHandle(kind) {
  made += 1;
  if (kind.startsWith("sqlite")) {
    const db = new Database(join(dir, `bench-${made}.db`));
    if (kind === "sqlite-wal") db.pragma("journal_mode = WAL");
    return {
      handle: db,
      driver: sqliteDriver(db),
      apply: { handle: db, driver: sqliteDriver(db) },
      close: async () => db.close(),
    };
  }
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE bench_${made}`);
  await admin.end();
  const url = pgServer.url.replace(/\/postgres$/, `/bench_${made}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  if (kind !== "pg-2ms")
    return {
      url,
      handle: client,
      driver: pgDriver(client),
      apply: { handle: client, driver: pgDriver(client) },
      close: () => client.end(),
    };
  slowProxy ??= await delayProxy(Number(new URL(pgServer.url).port), 1);
  const far = new pg.Client({ connectionString: url.replace(/:\d+\//, `:${slowProxy.port}/`) });
  await far.connect();
  return {
    url,
    handle: client,
    driver: pgDriver(client),
    apply: { handle: far, driver: pgDriver(far) },
    close: async () => {
      await far.end();
      await client.end();
    },
  };
}

async function prepareLedger(handle, invoices) {
  const ledger = await Ledger.open(handle);
  for (let i = 0; i < invoices; i++)
    await ledger.openInvoice({ id: `INV-${i}`, amount: amountOf(i), created_at: NOW - 60 });
  return ledger;
}
async function prepareBaseline(driver, invoices) {
  for (const sql of BASELINE_SCHEMA) await driver.run(sql);
  for (let i = 0; i < invoices; i++)
    await driver.run(
      "INSERT INTO invoices (id, amount, created_at) VALUES (?1, ?2, ?3)",
      `INV-${i}`,
      amountOf(i),
      NOW - 60,
    );
}

const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

/** One round of one way on a fresh database: the report as callbacks of `size` rows, then again (replays). */
async function round(kind, way, size) {
  const { handle, driver, apply: far, close } = await freshHandle(kind);
  try {
    const list = callbacks(ROWS, size);
    let apply;
    if (way === "ledger") {
      await prepareLedger(handle, PAID);
      const ledger = await Ledger.open(far.handle);
      apply = (r) => ledger.apply(r);
    } else {
      await prepareBaseline(driver, PAID);
      apply = (r) => baselineCallback(far.driver, r);
    }
    const times = [];
    for (let pass = 0; pass < 2; pass++) {
      const t = process.hrtime.bigint();
      let matched = 0;
      for (const r of list) matched += (await apply(r)).filter((o) => o.outcome === "matched").length;
      times.push(ms(t));
      // Exact values, so a way that decides wrongly cannot look fast: every invoice paid on the first pass.
      if (pass === 0 && matched !== PAID) throw new Error(`${way} on ${kind}: ${matched} matched, not ${PAID}`);
    }
    return times;
  } finally {
    await close();
  }
}

async function sideBySide(kind, size) {
  const t = { ledger: [[], []], baseline: [[], []] };
  for (let r = 0; r < ROUNDS; r++)
    for (const way of r % 2 ? ["baseline", "ledger"] : ["ledger", "baseline"]) {
      const [first, replay] = await round(kind, way, size);
      t[way][0].push(first);
      t[way][1].push(replay);
    }
  const rows = [];
  for (const [pass, name] of [
    [0, "first delivery"],
    [1, "the same again (replays)"],
  ]) {
    const ratios = t.ledger[pass].map((l, i) => t.baseline[pass][i] / l);
    const perCredit = (xs) => ((median(xs) * 1000) / ROWS.length).toFixed(0);
    rows.push(
      `| ${kind} | ${size} | ${name} | ${perCredit(t.ledger[pass])} | ${perCredit(t.baseline[pass])} | ${median(ratios).toFixed(2)}× (${range(ratios)}) |`,
    );
  }
  return rows;
}

/** Credits per second on Postgres with `n` appliers at once, each its own connection and Ledger. */
async function scaling(n, way) {
  const { url, handle, driver, close } = await freshHandle("pg");
  const many = 1600;
  const rows = Array.from({ length: many }, (_, i) => credit(30_000 + i, amountOf(i)));
  if (way === "ledger") await prepareLedger(handle, many);
  else await prepareBaseline(driver, many);
  await close();
  const appliers = await Promise.all(
    Array.from({ length: n }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const apply =
        way === "ledger"
          ? (
              (l) => (r) =>
                l.apply(r)
            )(await Ledger.open(client))
          : (r) => baselineCallback(pgDriver(client), r);
      return { client, apply };
    }),
  );
  const list = callbacks(rows, 10);
  let next = 0;
  const outcomes = {};
  const t = process.hrtime.bigint();
  await Promise.all(
    appliers.map(async ({ apply }) => {
      while (next < list.length) {
        const r = list[next++];
        for (const o of await apply(r)) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
      }
    }),
  );
  const seconds = ms(t) / 1000;
  await Promise.all(appliers.map(({ client }) => client.end()));
  if (outcomes.matched !== many)
    throw new Error(`${way} with ${n} appliers: ${JSON.stringify(outcomes)}, not ${many} matched`);
  return many / seconds;
}

try {
  pgServer = await startPostgres();
  console.log(
    `ledger: apply vs the hand-written receiver (the Worker example's statements), Node ${process.version}, ${ROUNDS} interleaved rounds, ${ROWS.length} credits (${PAID} pay an invoice), each way on a fresh database`,
  );
  console.log("| store | rows per callback | pass | Ledger µs/credit | baseline µs/credit | ratio, median (range) |");
  console.log("|---|---:|---|---:|---:|---|");
  for (const kind of (process.env.STORES ?? "sqlite,sqlite-wal,pg,pg-2ms").split(","))
    for (const size of [1, 10]) for (const row of await sideBySide(kind, size)) console.log(row);
  console.log("\nPostgres, callbacks of 10 rows, credits per second (median of 3; range):");
  console.log("| appliers | Ledger | baseline |");
  console.log("|---:|---:|---:|");
  for (const n of [1, 4, 16]) {
    const got = { ledger: [], baseline: [] };
    for (let r = 0; r < 3; r++) for (const way of ["ledger", "baseline"]) got[way].push(await scaling(n, way));
    const cell = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    console.log(`| ${n} | ${cell(got.ledger)} | ${cell(got.baseline)} |`);
  }
} finally {
  slowProxy?.close();
  pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}
