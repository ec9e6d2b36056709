// README.md's examples, extracted and run as written (fenced blocks marked `test=KIND`), so the documentation
// cannot drift from the package. The TypeScript ones are compiled first with `tsc --strict`, as users who
// write TypeScript would, and what runs is tsc's output.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startSandbox } from "cekmutasi/sandbox";
import { bundleWorker, chromiumPage, freePort, SEED } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "target", "readme");
mkdirSync(out, { recursive: true });

const blocks = {};
const languages = {};
for (const [, language, kind, code] of readFileSync(join(root, "README.md"), "utf8").matchAll(
  /^```(\w+) test=(\w+)\n([\s\S]*?)^```$/gm,
)) {
  blocks[kind] = code;
  languages[kind] = language;
}
const typescript = Object.keys(blocks).filter((k) => languages[k] === "ts");

test("README has its runnable examples, the TypeScript ones among them", () => {
  assert.deepEqual(Object.keys(blocks).sort(), ["browser", "client", "express", "ipv4", "ledger", "node", "worker"]);
  assert.deepEqual(typescript.sort(), ["client", "express", "ipv4", "ledger", "node", "worker"]);
});

// Beside the scratch project's node_modules (the packed package) and under the repository's (express and
// the @types), where a user's project would resolve them.
const sources = join(here, ".readme-ts");
const compiled = join(here, ".readme-js");
rmSync(sources, { recursive: true, force: true });
rmSync(compiled, { recursive: true, force: true });
mkdirSync(sources, { recursive: true });
for (const kind of typescript) writeFileSync(join(sources, `${kind}.ts`), blocks[kind]);
writeFileSync(
  join(sources, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmitOnError: true,
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2022", "dom"],
      types: ["node"],
      skipLibCheck: false,
      outDir: compiled,
    },
    include: ["*.ts"],
  }),
);

test("README: the TypeScript examples compile with tsc --strict", () => {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(sources, "tsconfig.json")], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc --strict refused the README's examples:\n${e.stdout}`);
  }
  console.log(`README: ${typescript.length} TypeScript examples compiled with --strict: ${typescript.join(", ")}`);
});

const SIGNATURE = "readme-signature";
const body = (amount) => SEED.replace('"1400026.00"', JSON.stringify(amount));
const post = (url, text, signature = SIGNATURE) =>
  fetch(url, { method: "POST", headers: { "api-signature": signature }, body: text });

/** Runs a compiled example with `env`; resolves to its stdout (and a way to stop it) once `ready` says so. */
function run(t, kind, env) {
  const child = spawn(process.execPath, [join(compiled, `${kind}.js`)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => child.kill());
  const logged = { text: "", errors: "" };
  child.stdout.on("data", (d) => (logged.text += d));
  child.stderr.on("data", (d) => (logged.errors += d));
  // What an example wrote to stderr is shown when its test fails.
  t.after(() => logged.errors && t.diagnostic(logged.errors));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return { logged, exited };
}

/** The first answer of a server that is starting: retried until it listens. */
async function first(url, text) {
  for (let i = 0; i < 100; i++) {
    const answer = await post(url, text).catch(() => undefined);
    if (answer) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened at ${url}`);
}

test("README: the Node example", async (t) => {
  const port = await freePort();
  const { logged } = run(t, "node", { PORT: String(port), CEKMUTASI_SIGNATURE: SIGNATURE });
  const url = `http://127.0.0.1:${port}/`;
  assert.equal(await (await first(url, body("150003.00"))).text(), "OK");
  const again = await post(url, body("150003.00"));
  assert.equal(await again.text(), "OK");
  const forged = await post(url, body("150003.00"), "guess");
  assert.deepEqual([forged.status, await forged.text()], [401, "invalid_signature"]);
  // A bad row is left out and logged; the answer is 200 (the report's other rows were processed).
  const bad = await post(url, body("1.500.003,00"));
  assert.deepEqual([bad.status, await bad.text()], [200, "OK"]);
  assert.match(
    logged.errors,
    /^left out: content\.data\[0\]\.amount: not a decimal amount .* \{ "id": 1, [\s\S]*"amount": "1\.500\.003,00"/,
  );
  logged.errors = "";
  // The envelope is strict: without its account a report is refused whole.
  const noAccount = await post(url, SEED.replace('"service_code": "bri",', ""));
  assert.deepEqual([noAccount.status, await noAccount.text()], [422, "invalid_payload content.service_code"]);
  // Paid once, although the callback came twice.
  assert.equal(logged.text, "INV-7 paid by mutation 1 (150003.00)\n");
});

test("README: the Node example refuses to start without its signature", async (t) => {
  const { exited, logged } = run(t, "node", { CEKMUTASI_SIGNATURE: "" });
  assert.equal(await exited, 1);
  assert.match(logged.errors, /Error: set CEKMUTASI_SIGNATURE to your account's callback signature/);
  logged.errors = "";
});

test("README: the Express example", async (t) => {
  const port = await freePort();
  const { logged } = run(t, "express", { PORT: String(port), CEKMUTASI_SIGNATURE: SIGNATURE });
  const url = `http://127.0.0.1:${port}/ipn`;
  const ok = await first(url, SEED);
  assert.deepEqual([ok.status, await ok.text()], [200, "OK"]);
  const forged = await post(url, SEED, "guess");
  assert.deepEqual([forged.status, await forged.text()], [401, "invalid_signature"]);
  const bad = await post(url, body("1.500.003,00"));
  assert.deepEqual([bad.status, await bad.text()], [200, "OK"]);
  assert.match(logged.errors, /^left out: content\.data\[0\]\.amount: not a decimal amount/);
  logged.errors = "";
  const notJson = await post(url, "{");
  assert.deepEqual([notJson.status, await notJson.text()], [400, "invalid_json "]);
  assert.equal(logged.text, "credit 1 of 1400026.00 on 1234567890\n");
});

test("README: the client example, against the sandbox", async (t) => {
  const sandbox = await startSandbox({ port: 0 });
  t.after(() => sandbox.close());
  const { logged, exited } = run(t, "client", {
    CEKMUTASI_API_KEY: sandbox.apiKey,
    CEKMUTASI_BASE_URL: sandbox.url,
  });
  assert.equal(await exited, 0);
  // 1000: the cap, of 2400 credits that day; 3000: every row of the day, found by the same day given as
  // two `Date`s in UTC; true: the first row re-checked by the search it came from.
  assert.equal(logged.text, '1000 3000 true {"balance":"150000.00"}\n');
});

test("README: the IPv4 recipe, against a sandbox on 127.0.0.1 only, by the name localhost", async (t) => {
  const sandbox = await startSandbox({ port: 0, host: "127.0.0.1" });
  t.after(() => sandbox.close());
  const { port } = new URL(sandbox.url);
  const { logged, exited } = run(t, "ipv4", {
    CEKMUTASI_API_KEY: sandbox.apiKey,
    CEKMUTASI_BASE_URL: `http://localhost:${port}/v1`,
  });
  assert.equal(await exited, 0);
  assert.equal(logged.text, '{"ip":{"v4":"127.0.0.1","v6":"::1"}}\n');
});

test("README: the Ledger example, run twice on one SQLite file: paid once, then replayed", async (t) => {
  const files = mkdtempSync(join(tmpdir(), "cekmutasi-readme-"));
  t.after(() => rmSync(files, { recursive: true, force: true }));
  const callback = join(files, "callback.json");
  const now = Math.floor(Date.now() / 1000) + 5;
  writeFileSync(
    callback,
    SEED.replace('"1400026.00"', '"150001.00"').replaceAll(/"unix_timestamp": \d+/g, `"unix_timestamp": ${now}`),
  );
  const env = { LEDGER_FILE: join(files, "payments.db"), CALLBACK_FILE: callback };
  for (const replay of ["", "(decided before)"]) {
    const { logged, exited } = run(t, "ledger", env);
    assert.equal(await exited, 0);
    assert.equal(
      logged.text,
      `INV-7: please transfer exactly 150001.00\n1: matched INV-7${replay}\n2: debit ${replay}\n`,
    );
  }
});

test("README: the Worker example, in workerd", async (t) => {
  const { Miniflare } = await import("miniflare");
  const worker = await bundleWorker({ entryPoints: [join(compiled, "worker.js")] }, join(out, "worker"));
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
