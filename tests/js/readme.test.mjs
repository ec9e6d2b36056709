// README.md's examples, extracted and run as written (fenced blocks marked `test=node|worker|browser`), so
// the documentation cannot drift from the package.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, extname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { bundleWorker, chromiumPage, SEED } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "target", "readme");
mkdirSync(out, { recursive: true });

const blocks = {};
for (const [, kind, code] of readFileSync(join(root, "README.md"), "utf8").matchAll(
  /^```\w+ test=(\w+)\n([\s\S]*?)^```$/gm,
))
  blocks[kind] = code;

test("README has the three runnable examples", () => {
  assert.deepEqual(Object.keys(blocks).sort(), ["browser", "node", "worker"]);
});

const SIGNATURE = "readme-signature";
const body = (amount) => SEED.replace('"1400026.00"', JSON.stringify(amount));
const post = (url, text, signature = SIGNATURE) =>
  fetch(url, { method: "POST", headers: { "api-signature": signature }, body: text });

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

test("README: the Node example", async (t) => {
  // Written beside the scratch project's node_modules, where the packed package is installed.
  const file = join(here, ".readme-node.mjs");
  writeFileSync(file, blocks.node);
  const port = await freePort();
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, PORT: String(port), CEKMUTASI_SIGNATURE: SIGNATURE },
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill());
  let logged = "";
  child.stdout.on("data", (d) => (logged += d));
  const url = `http://127.0.0.1:${port}/`;
  let first;
  for (let i = 0; i < 50 && !first; i++)
    first = await post(url, body("150003.00")).catch(() => new Promise((r) => setTimeout(r, 100)));
  assert.equal(await first.text(), "OK");
  const again = await post(url, body("150003.00"));
  assert.equal(await again.text(), "OK");
  const forged = await post(url, body("150003.00"), "guess");
  assert.deepEqual([forged.status, await forged.text()], [401, "invalid_signature"]);
  const bad = await post(url, body("1.500.003,00"));
  assert.deepEqual([bad.status, await bad.text()], [422, "invalid_payload content.data[0].amount"]);
  // Paid once, although the callback came twice.
  assert.equal(logged, "INV-7 paid by mutation 1 (150003.00)\n");
});

test("README: the Worker example, in workerd", async (t) => {
  const { Miniflare } = await import("miniflare");
  const worker = await bundleWorker({ stdin: { contents: blocks.worker, resolveDir: here } }, join(out, "worker"));
  const mf = new Miniflare({
    ...worker,
    bindings: { CEKMUTASI_SIGNATURE: SIGNATURE },
  });
  t.after(() => mf.dispose());
  const ok = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    headers: { "api-signature": SIGNATURE },
    body: SEED,
  });
  assert.deepEqual([ok.status, await ok.text()], [200, "OK 1400026.00"]);
  const forged = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    headers: { "api-signature": "guess" },
    body: SEED,
  });
  assert.deepEqual([forged.status, await forged.text()], [401, "invalid_signature"]);
  const get = await mf.dispatchFetch("http://worker/");
  assert.deepEqual([get.status, await get.text()], [405, "method_not_allowed"]);
});

test("README: the plain browser page, in Chromium", async (t) => {
  writeFileSync(
    join(here, ".readme-browser.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>readme</title></head><body>\n${blocks.browser}</body></html>\n`,
  );
  const types = { ".html": "text/html", ".mjs": "text/javascript", ".wasm": "application/wasm" };
  const { createServer: http } = await import("node:http");
  const server = http((req, res) => {
    try {
      const file = join(here, decodeURIComponent(new URL(req.url, "http://x").pathname));
      const data = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  const { page, errors, close } = await chromiumPage();
  t.after(close);
  await page.goto(`http://127.0.0.1:${server.address().port}/.readme-browser.html`);
  // The example replaces the body (its own script included) with the result.
  await page.waitForFunction(() => !document.querySelector("body script"), null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.body.textContent), "150003.00");
  assert.deepEqual(errors, []);
});
