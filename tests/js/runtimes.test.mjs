// The packed package in every runtime it promises, each loading it its own way and running the same
// smoke script (smoke/smoke.mjs) against the sandbox: Node ESM and CJS, Deno, workerd (miniflare), Vercel's
// edge runtime, a Vite build and an esbuild bundle in headless Chromium, and a plain page without a bundler.
// The table of results is written to target/runtimes.md (and printed by `make test`).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startSandbox } from "cekmutasi/sandbox";
import { build as esbuild } from "esbuild";
import { bundleWorker, chromiumPage } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const smokeDir = join(here, "smoke");
const out = join(here, "..", "..", "target", "runtimes");
const packageDir = join(here, "node_modules", "cekmutasi");
const run = promisify(execFile);

// What smoke() returns, exactly, everywhere.
const EXPECTED = {
  verify: [true, false, false],
  report: ["1 credit 1400026.00", "2 debit 50000.00"],
  rejected: [[2], ["0 invalid_payload content.data[0].amount"]],
  error: [true, true, "invalid_payload", "content.data[0].amount", 422],
  request: [
    "POST",
    "https://api.cekmutasi.co.id/v1/bank/search",
    "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Bdate%5D%5Bto%5D=2018-04-09+23%3A59%3A59&search%5Bamount%5D=1400026",
  ],
  match: [
    "1400026.00",
    [{ invoice_id: "INV-7", mutation_id: 1, amount: "1400026.00" }],
    [{ mutation_id: 2, reason: "debit" }],
    ["seen", "seen"],
    1,
  ],
  client: [8, 100001, "769001.00"],
  clientError: [true, "api_error", "Invalid API Key"],
  redirect: ["http_error", true, true],
};

let sandbox, env, redirecting, target;
const table = [];
// Requests that reached the target of a redirect: none may, in any runtime.
const stolen = [];
const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST",
};
const listen = async (handler) => {
  const server = createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return server;
};
before(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  sandbox = await startSandbox({ port: 0 });
  target = await listen((req, res) => {
    if (req.method !== "OPTIONS") stolen.push(`${req.method} ${req.url} api-key=${req.headers["api-key"]}`);
    res.writeHead(200, cors).end('{"success":true,"error_message":"","response":{"ip":{"v4":"6.6.6.6","v6":""}}}');
  });
  // Answers every request (CORS preflight aside: browsers need it) with a 307 to the target.
  redirecting = await listen((req, res) => {
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    res.writeHead(307, { ...cors, location: `http://127.0.0.1:${target.address().port}${req.url}` }).end();
  });
  env = {
    sandboxUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    redirectUrl: `http://127.0.0.1:${redirecting.address().port}/v1`,
  };
});
after(async () => {
  await sandbox.close();
  for (const s of [redirecting, target]) {
    s.closeAllConnections();
    s.close();
  }
  const lines = [
    "| runtime | how the package is loaded | smoke |",
    "|---|---|---|",
    ...table.map((r) => `| ${r.join(" | ")} |`),
  ];
  writeFileSync(join(out, "..", "runtimes.md"), `${lines.join("\n")}\n`);
});

/** Checks one runtime's result and records its row. */
function check(runtime, how, result, ms) {
  const ok = JSON.stringify(result) === JSON.stringify(EXPECTED);
  table.push([
    runtime,
    how,
    ok && !stolen.length ? `pass (${Object.keys(result).length} groups equal, ${Math.round(ms)} ms)` : "FAIL",
  ]);
  assert.deepEqual(result, EXPECTED);
  assert.deepEqual(stolen, [], "a redirect was followed");
}

async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

async function processResult(cmd, args) {
  const { stdout } = await run(cmd, [...args, JSON.stringify(env)], { cwd: here, encoding: "utf8" });
  return JSON.parse(stdout);
}

test("Node, ESM import", async () => {
  check(
    "Node 20, ESM",
    "`import` → index.mjs (the .wasm read from disk)",
    ...(await timed(() => processResult(process.execPath, ["smoke/node-esm.mjs"]))),
  );
});

test("Node, CommonJS require", async () => {
  check(
    "Node 20, CJS",
    "`require` → index.cjs",
    ...(await timed(() => processResult(process.execPath, ["smoke/node-cjs.cjs"]))),
  );
});

// Node 24, the current LTS (scripts/setup.sh node24 installs it from PyPI).
const node24 = join(here, "..", "..", ".tools", "node24", "node");

test("Node 24, ESM import", async () => {
  check(
    "Node 24, ESM",
    "`import` → index.mjs (the .wasm read from disk)",
    ...(await timed(() => processResult(node24, ["smoke/node-esm.mjs"]))),
  );
});

test("Node 24, CommonJS require", async () => {
  check("Node 24, CJS", "`require` → index.cjs", ...(await timed(() => processResult(node24, ["smoke/node-cjs.cjs"]))));
});

test("Bun", async () => {
  const bun = join(here, "..", "..", "node_modules", ".bin", "bun");
  check(
    "Bun 1 (npm `bun`)",
    "`import` → index.mjs, as in Node",
    ...(await timed(() => processResult(bun, ["smoke/node-esm.mjs"]))),
  );
});

test("Deno, with no permission but the network", async () => {
  const deno = join(here, "..", "..", "node_modules", ".bin", "deno");
  const [result, ms] = await timed(() => processResult(deno, ["run", "--allow-net=127.0.0.1", "smoke/deno.mjs"]));
  check("Deno 2 (npm `deno`)", "`deno` condition → inline.mjs; no --allow-read needed", result, ms);
});

test("Cloudflare Workers: workerd through miniflare", async () => {
  const { Miniflare } = await import("miniflare");
  // As wrangler bundles a Worker: workerd's conditions, and .wasm imports kept as compiled-module imports.
  const mf = new Miniflare(await bundleWorker({ entryPoints: [join(smokeDir, "worker.mjs")] }, join(out, "workerd")));
  try {
    const [result, ms] = await timed(async () => {
      const res = await mf.dispatchFetch("http://worker/", { method: "POST", body: JSON.stringify(env) });
      return res.json();
    });
    check(
      "workerd (npm `miniflare` 4)",
      "`workerd` condition → workerd.mjs (the .wasm imported as a module)",
      result,
      ms,
    );
  } finally {
    await mf.dispose();
  }
});

test("Vercel Edge: edge-runtime", async () => {
  const { EdgeRuntime } = await import("edge-runtime");
  // As Vercel bundles an Edge Function: its conditions, and `import x from "*.wasm?module"` bound to a
  // WebAssembly.Module the platform compiled (here: compiled in the runtime's own context).
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
  const bundle = await esbuild({
    entryPoints: [join(smokeDir, "edge.mjs")],
    bundle: true,
    format: "iife",
    conditions: ["edge-light", "worker", "browser"],
    write: false,
    plugins: [vercelWasm],
    logLevel: "error",
  });
  const [result, ms] = await timed(async () => {
    const runtime = new EdgeRuntime();
    runtime.context.__vercel_wasm_cekmutasi = new (runtime.evaluate("WebAssembly").Module)(readFileSync(wasmFile));
    runtime.evaluate(bundle.outputFiles[0].text);
    const res = await runtime.dispatchFetch("http://edge/", { method: "POST", body: JSON.stringify(env) });
    return res.json();
  });
  check("Vercel Edge (npm `edge-runtime` 4)", "`edge-light` condition → edge-light.mjs (`.wasm?module`)", result, ms);
});

/** Serves directories on loopback: { "/prefix/": dir }. */
async function serve(routes) {
  const types = {
    ".html": "text/html",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const prefix = Object.keys(routes).find((p) => path.startsWith(p));
    try {
      const file = join(routes[prefix], path.slice(prefix.length) || "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function inChromium(pageUrl) {
  const { page, errors, close } = await chromiumPage();
  try {
    await page.goto(`${pageUrl}?env=${encodeURIComponent(JSON.stringify(env))}`);
    await page.waitForFunction(() => window.__smoke !== undefined, null, { timeout: 20_000 });
    const result = await page.evaluate(() => window.__smoke);
    assert.deepEqual(errors, [], "no console errors");
    return result;
  } finally {
    await close();
  }
}

test("browser: a Vite build in headless Chromium", async () => {
  const { build } = await import("vite");
  const dir = join(out, "vite");
  await build({
    root: smokeDir,
    logLevel: "error",
    build: { outDir: dir, emptyOutDir: true, rollupOptions: { input: join(smokeDir, "index.html") } },
  });
  const server = await serve({ "/": dir });
  try {
    check(
      "Chromium + Vite 8 build",
      "`browser` condition → inline.mjs",
      ...(await timed(() => inChromium(`${server.url}/index.html`))),
    );
  } finally {
    await server.close();
  }
});

test("browser: an esbuild bundle in headless Chromium", async () => {
  const dir = join(out, "esbuild");
  mkdirSync(dir, { recursive: true });
  await esbuild({
    entryPoints: [join(smokeDir, "browser.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(dir, "browser.mjs"),
    logLevel: "error",
  });
  writeFileSync(join(dir, "index.html"), readFileSync(join(smokeDir, "index.html"), "utf8"));
  const server = await serve({ "/": dir });
  try {
    check(
      "Chromium + esbuild bundle",
      "`browser` condition → inline.mjs",
      ...(await timed(() => inChromium(`${server.url}/index.html`))),
    );
  } finally {
    await server.close();
  }
});

test("browser: a plain page without a bundler, one init call", async () => {
  const server = await serve({ "/cekmutasi/": packageDir, "/smoke/": smokeDir, "/": smokeDir });
  try {
    check(
      "Chromium, no bundler",
      "`cekmutasi/web` + `await init()` (fetches the .wasm)",
      ...(await timed(() => inChromium(`${server.url}/plain.html`))),
    );
  } finally {
    await server.close();
  }
});
