// The examples in examples/, each run in its own runtime with the packed package, as their users would run
// them: the Cloudflare Worker under miniflare with a local D1 (two instances sharing it), the Vercel Edge
// Function under edge-runtime, the Supabase/Deno function under Deno on a real Postgres and the Node server
// on node:sqlite in Node 24 (two instances each, sharing the database).

import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import { bundleWorker, reportOf } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const examples = join(root, "examples");
const out = join(root, "target", "examples");
// The examples are users' projects: "cekmutasi" comes from the scratch project's installed tarball.
const nodePaths = [join(here, "node_modules")];
const SIGNATURE = "example-signature";

before(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
});

/** A payment report with the given rows, as the service posts it. */
function callback(url, rows, signature = SIGNATURE) {
  const report = reportOf(rows);
  return [
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", "api-signature": signature },
      body: JSON.stringify(report),
    },
  ];
}
const credit = (id, amount, extra = {}) => ({
  id,
  unix_timestamp: Math.floor(Date.now() / 1000),
  type: "credit",
  amount,
  description: "TRSF E-BANKING CR",
  balance: "9000000.00",
  ...extra,
});

test("cloudflare-worker: on the Ledger (D1), a callback processed twice pays once, across two instances, and invoices opened at once get distinct amounts", async (t) => {
  const { Miniflare } = await import("miniflare");
  const bundled = await bundleWorker(
    { entryPoints: [join(examples, "cloudflare-worker", "src", "index.mjs")] },
    join(out, "cloudflare-worker"),
    { nodePaths },
  );
  // Two Workers (separate isolates, as two instances are) bound to one D1 database; no schema step: the
  // Ledger creates its tables.
  const worker = (name) => ({
    ...bundled,
    name,
    bindings: { CEKMUTASI_SIGNATURE: SIGNATURE },
    d1Databases: { DB: "cekmutasi" },
  });
  const mf = new Miniflare({ workers: [worker("a"), worker("b")] });
  t.after(() => mf.dispose());
  const [a, b] = [await mf.getWorker("a"), await mf.getWorker("b")];
  const db = await mf.getD1Database("DB", "a");
  const post = async (w, path, body) =>
    (await w.fetch(`http://worker${path}`, { method: "POST", body: JSON.stringify(body) })).json();
  const strip = (outcomes) => outcomes.map(({ decided_at, ...o }) => o);

  // The old example's race (two instances opening invoices at the same moment got the same amount: 4
  // distinct amounts for 40 invoices when it was measured): 40 at once across both instances.
  const opened = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post(i % 2 ? a : b, "/invoices", { id: `RACE-${i}`, price: "90000" })),
  );
  assert.equal(new Set(opened.map((o) => o.amount)).size, 40);

  const one = await post(a, "/invoices", { id: "INV-1", price: "150000" });
  const two = await post(b, "/invoices", { id: "INV-2", price: "150000" });
  assert.deepEqual([one.amount, two.amount, one.status], ["150001.00", "150002.00", "open"]);

  // The same callback twice on one instance: paid once, then replayed.
  const first = await (
    await a.fetch(
      ...callback("http://worker/callback", [
        credit(7001, "150001.00"),
        { ...credit(7002, "50000.00"), type: "debit" },
      ]),
    )
  ).json();
  assert.deepEqual(strip(first.outcomes), [
    { mutation_id: 7001, outcome: "matched", amount: "150001.00", invoice_id: "INV-1", replayed: false },
    { mutation_id: 7002, outcome: "debit", amount: "50000.00", replayed: false },
  ]);
  const again = await (await a.fetch(...callback("http://worker/callback", [credit(7001, "150001.00")]))).json();
  assert.deepEqual(strip(again.outcomes), [
    { mutation_id: 7001, outcome: "matched", amount: "150001.00", invoice_id: "INV-1", replayed: true },
  ]);

  // The same callback delivered to both instances at once: decided once, the other replays it.
  const both = await Promise.all(
    [a, b].map(async (w) => (await w.fetch(...callback("http://worker/callback", [credit(7003, "150002.00")]))).json()),
  );
  const outcomes = both.map((r) => `${r.outcomes[0].outcome}${r.outcomes[0].replayed ? " (replayed)" : ""}`).sort();
  assert.deepEqual(outcomes, ["matched", "matched (replayed)"]);
  // Another transfer of the same amount finds no open invoice left: a person decides it.
  const late = await (await b.fetch(...callback("http://worker/callback", [credit(7004, "150002.00")]))).json();
  assert.equal(late.outcomes[0].outcome, "unmatched");
  assert.deepEqual(
    (await (await a.fetch("http://worker/unsettled")).json()).map((o) => o.mutation_id),
    [7004],
  );

  const paid = await db
    .prepare("SELECT id, status, paid_by FROM cekmutasi_invoices WHERE id LIKE 'INV-%' ORDER BY id")
    .all();
  assert.deepEqual(paid.results, [
    { id: "INV-1", status: "paid", paid_by: 7001 },
    { id: "INV-2", status: "paid", paid_by: 7003 },
  ]);
  assert.deepEqual(await (await b.fetch("http://worker/invoices/INV-2")).json().then((i) => i.paid_by), 7003);

  // A forged callback: 401, nothing read, nothing written.
  const forged = await a.fetch(...callback("http://worker/callback", [credit(7005, "150001.00")], "guess"));
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).code, "invalid_signature");
  const decided = await db.prepare("SELECT count(*) AS n FROM cekmutasi_decisions").first();
  assert.equal(decided.n, 4);
  console.log(
    `cloudflare-worker on the Ledger: 40 invoices opened at once on two instances, 40 distinct amounts; both instances ${JSON.stringify(outcomes)}`,
  );
});

/** The merchant's backend the edge examples call: open invoices, and payments unique per mutation id. */
async function invoiceBackend(invoices) {
  const { createServer } = await import("node:http");
  const payments = new Map();
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.url === "/open-invoices") {
      const paid = new Set([...payments.values()].map((p) => p.invoice_id));
      return res.end(JSON.stringify(invoices.filter((i) => !paid.has(i.id))));
    }
    if (req.url === "/payments" && req.method === "POST") {
      const p = JSON.parse(body);
      if (!payments.has(p.mutation_id)) payments.set(p.mutation_id, p);
      return res.writeHead(204).end();
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    payments,
    close: () => new Promise((r) => server.close(r)),
  };
}
const OPEN = [
  { id: "INV-10", amount: "75010.00", created_at: 1_700_000_000 },
  { id: "INV-11", amount: "75011.00", created_at: 1_700_000_000 },
];

test("vercel-edge: the Edge Function under edge-runtime", async (t) => {
  const { EdgeRuntime } = await import("edge-runtime");
  const backend = await invoiceBackend(OPEN);
  t.after(backend.close);
  let wasmFile;
  const vercelWasm = {
    name: "vercel-wasm",
    setup(b) {
      b.onResolve({ filter: /\.wasm\?module$/ }, (a) => {
        wasmFile = join(a.resolveDir, a.path.replace(/\?module$/, ""));
        return { path: "wasm", namespace: "vercel-wasm" };
      });
      b.onLoad({ filter: /.*/, namespace: "vercel-wasm" }, () => ({
        contents: "export default globalThis.__vercel_wasm_cekmutasi;",
      }));
    },
  };
  const entry = `import handler from "./api/callback.js";\naddEventListener("fetch", (e) => e.respondWith(handler(e.request)));\n`;
  const bundle = await esbuild({
    stdin: { contents: entry, resolveDir: join(examples, "vercel-edge") },
    bundle: true,
    format: "iife",
    conditions: ["edge-light", "worker", "browser"],
    write: false,
    plugins: [vercelWasm],
    nodePaths,
    logLevel: "error",
  });
  const runtime = new EdgeRuntime();
  runtime.context.process = { env: { CEKMUTASI_SIGNATURE: SIGNATURE, INVOICES_URL: backend.url } };
  runtime.context.__vercel_wasm_cekmutasi = new (runtime.evaluate("WebAssembly").Module)(readFileSync(wasmFile));
  runtime.evaluate(bundle.outputFiles[0].text);

  const rows = [
    credit(8001, "75010.00", { unix_timestamp: 1_700_000_100 }),
    credit(8002, "99.00", { unix_timestamp: 1_700_000_100 }),
  ];
  const first = await runtime.dispatchFetch(...callback("http://edge/api/callback", rows));
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { matched: 1, ambiguous: [], unmatched: [8002] });
  // Delivered again: the invoice is no longer open, so nothing is paid twice.
  const again = await runtime.dispatchFetch(...callback("http://edge/api/callback", rows));
  assert.deepEqual(await again.json(), { matched: 0, ambiguous: [], unmatched: [8001, 8002] });
  assert.deepEqual([...backend.payments.values()], [{ invoice_id: "INV-10", mutation_id: 8001, amount: "75010.00" }]);
  const forged = await runtime.dispatchFetch(...callback("http://edge/api/callback", rows, "guess"));
  assert.equal(forged.status, 401);
  assert.deepEqual(await forged.json(), { code: "invalid_signature" });
});

/** Starts a user's server (it prints "listening on PORT"); resolves to its URL. Stopped after the test. */
async function serve(t, command, args, { cwd, env }) {
  const { spawn } = await import("node:child_process");
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, PORT: "0", CEKMUTASI_SIGNATURE: SIGNATURE, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill());
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      const m = String(d).match(/listening on (\d+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`${command} exited ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

/** A user's project directory: the example's file, and node_modules with these packages linked in. */
function project(name, file, packages) {
  const dir = join(out, name);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  cpSync(join(examples, name, file), join(dir, file));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      private: true,
      type: "module",
      dependencies: Object.fromEntries(packages.map(([p]) => [p, "*"])),
    }),
  );
  for (const [p, from] of packages) symlinkSync(join(from, p), join(dir, "node_modules", p));
  return dir;
}
const installed = join(here, "node_modules"); // the packed tarball
const devDeps = join(root, "node_modules");

/**
 * What both Ledger examples must do, on two instances of the server sharing one database: an invoice
 * gets its unique amount; the same callback sent to both at once is decided once (the other instance
 * replays it) and pays once; a stray credit is listed unsettled; a forged callback writes nothing.
 */
async function ledgerExample(a, b, callbackPath) {
  const open = await fetch(`${a}/invoices`, { method: "POST", body: JSON.stringify({ id: "INV-1", price: "75000" }) });
  assert.equal(open.status, 201);
  assert.equal((await open.json()).amount, "75001.00");
  const second = await fetch(`${b}/invoices`, {
    method: "POST",
    body: JSON.stringify({ id: "INV-2", price: "75000" }),
  });
  assert.equal((await second.json()).amount, "75002.00");
  const rows = [credit(9001, "75001.00"), { ...credit(9002, "75001.00"), type: "debit" }, credit(9003, "12345.00")];
  const both = await Promise.all(
    [a, b].map((u) => fetch(...callback(`${u}${callbackPath}`, rows)).then((r) => r.json())),
  );
  const fresh = both.flatMap((r) => r.outcomes).filter((o) => !o.replayed);
  assert.deepEqual(fresh.map((o) => [o.mutation_id, o.outcome, o.invoice_id ?? null]).sort(), [
    [9001, "matched", "INV-1"],
    [9002, "debit", null],
    [9003, "unmatched", null],
  ]);
  assert.deepEqual(
    both.map((r) => r.outcomes.map((o) => o.outcome)),
    [
      ["matched", "debit", "unmatched"],
      ["matched", "debit", "unmatched"],
    ],
  );
  const unsettled = await (await fetch(`${b}/unsettled`)).json();
  assert.deepEqual(
    unsettled.map((o) => [o.mutation_id, o.outcome, o.amount]),
    [[9003, "unmatched", "12345.00"]],
  );
  const forged = await fetch(...callback(`${a}${callbackPath}`, [credit(9004, "75002.00")], "guess"));
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).code, "invalid_signature");
  const again = await (await fetch(...callback(`${b}${callbackPath}`, [credit(9004, "75002.00")]))).json();
  assert.deepEqual(
    again.outcomes.map((o) => [o.outcome, o.invoice_id, o.replayed]),
    [["matched", "INV-2", false]],
  );
  const big = await fetch(`${a}${callbackPath}`, {
    method: "POST",
    headers: { "api-signature": SIGNATURE },
    body: "x".repeat(2 << 20),
  });
  assert.equal(big.status, 413);
}

test("deno: a Supabase Edge Function on the Ledger (postgres.js, a real Postgres), two instances", async (t) => {
  const { startPostgres } = await import("./postgres.mjs");
  const postgres = await startPostgres();
  t.after(postgres.stop);
  const dir = project("deno", "main.ts", [
    ["cekmutasi", installed],
    ["postgres", devDeps],
  ]);
  const deno = join(root, "node_modules", ".bin", "deno");
  const env = { DATABASE_URL: postgres.url };
  const args = ["run", "--allow-net=127.0.0.1", "--allow-env", "main.ts"];
  const a = await serve(t, deno, args, { cwd: dir, env });
  const b = await serve(t, deno, args, { cwd: dir, env });
  await ledgerExample(a, b, "/functions/v1/cekmutasi");
});

test("node-sqlite: a Node server on the Ledger (node:sqlite, Node 24), two processes on one file", async (t) => {
  const dir = project("node-sqlite", "server.mjs", [["cekmutasi", installed]]);
  const node24 = join(root, ".tools", "node24", "node");
  const env = { LEDGER_DB: join(dir, "payments.db") };
  rmSync(env.LEDGER_DB, { force: true });
  const a = await serve(t, node24, ["server.mjs"], { cwd: dir, env });
  const b = await serve(t, node24, ["server.mjs"], { cwd: dir, env });
  await ledgerExample(a, b, "/callback");
  // The Node example's own routes: an invoice read back, and a person settling the stray credit.
  assert.equal((await (await fetch(`${a}/invoices/INV-1`)).json()).paid_by, 9001);
  const open = await fetch(`${a}/invoices`, {
    method: "POST",
    body: JSON.stringify({ id: "INV-3", amount: "12345.00" }),
  });
  assert.equal((await open.json()).amount, "12345.00");
  const settled = await fetch(`${b}/settle`, {
    method: "POST",
    body: JSON.stringify({ mutation_id: 9003, invoice_id: "INV-3" }),
  });
  assert.deepEqual(await settled.json().then((o) => [o.outcome, o.invoice_id, o.settled]), ["matched", "INV-3", true]);
  const wrong = await fetch(`${b}/settle`, {
    method: "POST",
    body: JSON.stringify({ mutation_id: 9003, invoice_id: "INV-3" }),
  });
  assert.equal(wrong.status, 400);
  assert.equal((await wrong.json()).code, "invalid_params");
});
