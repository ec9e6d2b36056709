// The demo: the sandbox of the API and this page, on loopback. `make demo` builds the package and runs this.
//   /                 the page (www/), which loads the package's browser build from /pkg/
//   /config.json      the sandbox's URL, API key and callback signature
//   /sample.json      the seeds' sample payment report
//   /events           server-sent events: every callback the sandbox posts here, as received (body and
//                     Api-Signature header) — the page verifies and parses it itself
//   POST /callback    the sandbox's callbacks (the BRI account's ipn_url): verified and applied to the
//                     Ledger here, as a merchant's receiver does, then relayed with the Ledger's outcomes
//   POST /api/mutation  asks the sandbox for a new mutation on that account { amount, description, type }
//   GET  /api/ledger    the Ledger's invoices (this demo's orders) and its unsettled credits
//   POST /api/ledger/invoices  { price } -> a new order's invoice, its amount made unique
//   POST /api/ledger/settle    { mutation_id, invoice_id } -> a person's decision
// The Ledger keeps its tables in a SQLite file (LEDGER_DB, default target/demo/ledger.db): a restart of the
// demo loses nothing. PORT (default 8080) and SANDBOX_PORT (default 8787); 0 picks a free port.

import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const { startSandbox } = await import(join(root, "pkg", "sandbox.mjs"));
const { CekMutasiError, Ledger, receiveCallback } = await import(join(root, "pkg", "index.mjs"));
const { default: Database } = await import("better-sqlite3");

// The merchant's side: its own orders table, and the Ledger over the same database file.
const file = process.env.LEDGER_DB ?? join(root, "target", "demo", "ledger.db");
mkdirSync(dirname(file), { recursive: true });
const db = new Database(file, { timeout: 5000 });
db.exec("CREATE TABLE IF NOT EXISTS demo_orders (seq INTEGER PRIMARY KEY, invoice_id TEXT NOT NULL UNIQUE)");
const ledger = await Ledger.open(db);
/** A new order and its invoice: with a price, the Ledger makes the amount unique (a code added); with an
 * amount, exactly that. */
async function newOrder({ price, amount }) {
  const seq = db.prepare("SELECT coalesce(max(seq), 0) + 1 AS n FROM demo_orders").get().n;
  const invoice = await ledger.openInvoice({ id: `ORDER-${seq}`, price, amount });
  db.prepare("INSERT INTO demo_orders (seq, invoice_id) VALUES (?, ?)").run(seq, invoice.id);
  return invoice;
}
if (db.prepare("SELECT count(*) AS n FROM demo_orders").get().n === 0)
  for (const price of ["150000", "275000"]) await newOrder({ price });
async function ledgerState() {
  const invoices = [];
  for (const { invoice_id } of db.prepare("SELECT invoice_id FROM demo_orders ORDER BY seq").all())
    invoices.push(await ledger.invoice(invoice_id));
  return { invoices, unsettled: await ledger.unsettled() };
}

const sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 8787) });
const clients = new Set();
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};
const STATIC = { "/pkg/": join(root, "pkg"), "/": here };
const FILES = { "/sample.json": join(root, "tests", "fixtures", "seed_report.json") };

const json = (res, status, value) =>
  res.writeHead(status, { "content-type": TYPES[".json"] }).end(JSON.stringify(value));

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

let page;
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://demo");
  try {
    if (url.pathname === "/config.json") {
      return res
        .writeHead(200, { "content-type": TYPES[".json"] })
        .end(JSON.stringify({ sandboxUrl: sandbox.url, apiKey: sandbox.apiKey, signature: sandbox.signature }));
    }
    if (url.pathname === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write(": connected\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    if (url.pathname === "/callback" && req.method === "POST") {
      // The receiver: verified and applied to the Ledger; the page gets the callback as it came (it verifies
      // and parses it again itself, to show it) and the Ledger's outcomes.
      const signature = req.headers["api-signature"] ?? null;
      const text = await body(req);
      let outcomes = null;
      let status = 200;
      try {
        const headers = signature === null ? {} : { "api-signature": signature };
        const report = await receiveCallback(new Request(`${page}callback`, { method: "POST", headers, body: text }), {
          signature: sandbox.signature,
        });
        outcomes = await ledger.apply(report);
      } catch (e) {
        if (!(e instanceof CekMutasiError)) throw e;
        status = e.status ?? 400;
      }
      const event = JSON.stringify({ signature, body: text, outcomes });
      for (const client of clients) client.write(`data: ${event}\n\n`);
      return res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "OK" : "refused");
    }
    if (url.pathname === "/api/ledger" && req.method === "GET") return json(res, 200, await ledgerState());
    if (url.pathname === "/api/ledger/invoices" && req.method === "POST") {
      const { price, amount } = JSON.parse((await body(req)) || "{}");
      return json(res, 201, await newOrder({ price, amount }));
    }
    if (url.pathname === "/api/ledger/settle" && req.method === "POST") {
      const { mutation_id, invoice_id } = JSON.parse((await body(req)) || "{}");
      return json(res, 200, await ledger.settle(mutation_id, invoice_id));
    }
    if (url.pathname === "/api/mutation" && req.method === "POST") {
      const input = JSON.parse((await body(req)) || "{}");
      const answer = await fetch(`${sandbox.controlUrl}/mutations`, {
        method: "POST",
        body: JSON.stringify({ account_id: 1, ...input }),
      });
      return res.writeHead(answer.status, { "content-type": TYPES[".json"] }).end(await answer.text());
    }
    if (req.method !== "GET" && req.method !== "HEAD") return res.writeHead(405).end();
    const prefix = Object.keys(STATIC).find((p) => url.pathname.startsWith(p));
    const file =
      FILES[url.pathname] ?? normalize(join(STATIC[prefix], url.pathname.slice(prefix.length) || "index.html"));
    if (!FILES[url.pathname] && !file.startsWith(STATIC[prefix])) return res.writeHead(403).end();
    const data = await readFile(file);
    res
      .writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      })
      .end(data);
  } catch (e) {
    if (e instanceof CekMutasiError)
      return json(res, e.status ?? 400, { code: e.code, path: e.path, message: e.message });
    if (e.code === "ENOENT" || e.code === "EISDIR") return res.writeHead(404).end("not found");
    res.writeHead(500).end(String(e.message));
  }
});
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", resolve));
page = `http://127.0.0.1:${server.address().port}/`;
// The sandbox posts the BRI account's callbacks here.
sandbox.state.accounts.get(1).ipn_url = `${page}callback`;
console.log(`cekmutasi demo: ${page}`);
console.log(`  ledger: ${file} (kept across restarts)`);
console.log(`  sandbox API ${sandbox.url} (API key ${sandbox.apiKey}, callback signature ${sandbox.signature})`);

const stop = async () => {
  for (const client of clients) client.end();
  server.closeAllConnections();
  server.close();
  await sandbox.close();
  db.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
