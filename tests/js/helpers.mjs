import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { basename, join } from "node:path";

export const SEED = readFileSync(new URL("../fixtures/seed_report.json", import.meta.url), "utf8");

/** A payment report of these rows on the seed's account, as the service posts it. */
export const reportOf = (rows) => ({
  action: "payment_report",
  content: {
    service_name: "Bank BRI",
    service_code: "bri",
    account_number: "1234567890",
    account_name: "Toko",
    data: rows,
  },
});

/** A port free on 127.0.0.1 now. */
export async function freePort() {
  const server = createNetServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** How a promise is refused, as "code path: message" (it must be a CekMutasiError, and must be refused). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    if (e?.name !== "CekMutasiError") throw e;
    return `${e.code} ${e.path}: ${e.message}`;
  }
  throw new Error("accepted, not refused");
}

/** Starts a node:http server on loopback that hands each request to `handle` as a Fetch `Request`. */
export async function fetchServer(handle) {
  const server = createServer(async (req, res) => {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : bodyStream(req);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers,
      body,
      duplex: "half",
    });
    const response = await handle(request);
    const headers = Object.fromEntries(response.headers);
    // Answered before the whole body arrived (413): this connection cannot carry another request.
    if (!req.complete) headers.connection = "close";
    res.writeHead(response.status, headers);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** The request body as a web stream whose cancel() drains the rest instead of resetting the connection,
 * so the client still reads the early answer (413) — what a well-behaved Node adapter does. */
function bodyStream(req) {
  const it = req[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value));
    },
    cancel() {
      req.resume();
    },
  });
}

/** Chromium's flags here (../shared/TOOLCHAIN.md): headless, and no traffic to outside hosts. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A fresh headless Chromium page (Debian's /usr/bin/chromium driven by playwright-core); console errors
 * and page errors are collected in `errors`. */
export async function chromiumPage({ viewport } = {}) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage(viewport ? { viewport } : {});
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors, close: () => browser.close() };
}

/**
 * Bundles a Worker into `dir` as wrangler does (workerd's conditions; `.wasm` imports kept as compiled-module
 * imports, copied beside the bundle) and returns the Miniflare options that run it. `source` is esbuild's
 * `entryPoints` or `stdin`; `more` adds esbuild options (`nodePaths`, `alias`).
 */
export async function bundleWorker(source, dir, more = {}) {
  const { build } = await import("esbuild");
  mkdirSync(dir, { recursive: true });
  const wasmModules = {
    name: "wasm-modules",
    setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, (a) => {
        copyFileSync(join(a.resolveDir, a.path), join(dir, basename(a.path)));
        return { path: `./${basename(a.path)}`, external: true };
      });
    },
  };
  await build({
    ...source,
    bundle: true,
    format: "esm",
    conditions: ["workerd", "worker", "browser"],
    outfile: join(dir, "worker.mjs"),
    plugins: [wasmModules],
    logLevel: "error",
    ...more,
  });
  return {
    modules: true,
    modulesRoot: dir,
    scriptPath: join(dir, "worker.mjs"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
  };
}
