// The demo: the sandbox of the API and this page, on loopback. `make demo` builds the package and runs this.
//   /                 the page (www/), which loads the package's browser build from /pkg/
//   /config.json      the sandbox's URL, API key and callback signature
//   /sample.json      the seeds' sample payment report
//   /events           server-sent events: every callback the sandbox posts here, as received (body and
//                     Api-Signature header) — the page verifies and parses it itself
//   POST /callback    the sandbox's callbacks (the BRI account's ipn_url)
//   POST /api/mutation  asks the sandbox for a new mutation on that account { amount, description, type }
// PORT (default 8080) and SANDBOX_PORT (default 8787); 0 picks a free port.

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const { startSandbox } = await import(join(root, "pkg", "sandbox.mjs"));

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

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

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
      // Relayed untouched: verifying is the page's job (that is what the demo shows).
      const event = JSON.stringify({ signature: req.headers["api-signature"] ?? null, body: await body(req) });
      for (const client of clients) client.write(`data: ${event}\n\n`);
      return res.writeHead(200, { "content-type": "text/plain" }).end("OK");
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
    if (e.code === "ENOENT" || e.code === "EISDIR") return res.writeHead(404).end("not found");
    res.writeHead(500).end(String(e.message));
  }
});
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", resolve));
const page = `http://127.0.0.1:${server.address().port}/`;
// The sandbox posts the BRI account's callbacks here.
sandbox.state.accounts.get(1).ipn_url = `${page}callback`;
console.log(`cekmutasi demo: ${page}`);
console.log(`  sandbox API ${sandbox.url} (API key ${sandbox.apiKey}, callback signature ${sandbox.signature})`);

const stop = async () => {
  for (const client of clients) client.end();
  server.closeAllConnections();
  server.close();
  await sandbox.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
