// Cold start: a fresh runtime importing the package and parsing its first callback.
//   Node: a new process per sample; inside it, performance.now() around `import()` + the first
//   parseCallback, for each Node entry (ESM, CJS, and the inline-bytes entry bundlers and Deno get), beside
//   a baseline that imports a pure-JS module of the same job (JSON.parse + checks). Each process first
//   imports an empty module: Node's ESM loader costs ~5.5 ms on its first import, which every ESM app has
//   paid before it imports a library (the figures without that step are printed too). Beside them, the floor
//   of any WebAssembly package: the baseline reading the body in a one-function .wasm first (benches/floor.wat).
//   workerd, two ways, each a Worker importing the package against the same Worker without it (the
//   difference is the package's cost): one workerd process serving 15 such Workers (15 isolates), timed from
//   its start to all 15 first responses, per isolate (and the floor's Worker the same way); and, as the issue
//   first measured it, a new miniflare per isolate (whose own start and teardown in Node make that figure far
//   noisier than the cost).
// Run with `make bench`; medians of interleaved samples.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "../tests/js/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
const out = join(root, "target", "bench-coldstart");
mkdirSync(out, { recursive: true });
const SEED = readFileSync(join(root, "tests", "fixtures", "seed_report.json"), "utf8");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const SAMPLES = 15;

// ---- Node ----
const checks = `
  const doc = JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body));
  if (doc.action !== "payment_report" || !Array.isArray(doc.content?.data)) throw new Error("bad report");
  for (const m of doc.content.data) if (!Number.isSafeInteger(m.id) || !/^\\d+(\\.\\d{1,2})?$/.test(String(m.amount))) throw new Error("bad row");
  return doc;
`;
writeFileSync(join(out, "baseline.mjs"), `export function parseCallback(body) {${checks}}\n`);
// The floor of any WebAssembly package: the baseline's module, but reading the body in a minimal .wasm first
// (benches/floor.wat, one function), loaded as the package's ESM entry loads its own (the file read, compiled,
// instantiated, the body copied in). No package can start faster than this; the target is a ratio to the
// baseline, so this row says how much of it a WebAssembly module of any size leaves.
execFileSync(join(root, "node_modules", ".bin", "wasm-as"), [
  join(root, "benches", "floor.wat"),
  "-o",
  join(out, "floor.wasm"),
]);
/** The floor's parseCallback, given its instance's exports as `wasm`: the body copied in and read, then the
 * baseline's checks. */
const floorParse = `const encoder = new TextEncoder();
export function parseCallback(body) {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  new Uint8Array(wasm.memory.buffer).set(bytes);
  if (wasm.scan(0, bytes.length) === 0) throw new Error("bad report");
  return checked(body);
}
function checked(body) {${checks}}\n`;
writeFileSync(
  join(out, "floor.mjs"),
  `const { readFileSync } = process.getBuiltinModule("node:fs");
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL("./floor.wasm", import.meta.url)))).exports;
${floorParse}`,
);
/** A sample's first statements: the clock started, then the module at `file` imported as `api`. */
const importing = (file) => `const t0 = performance.now(); const api = await import(${JSON.stringify(file)});`;
const cases = {
  "baseline (pure JS)": importing(join(out, "baseline.mjs")),
  "floor (a minimal .wasm)": importing(join(out, "floor.mjs")),
  "ESM (index.mjs)": importing(join(pkg, "index.mjs")),
  "CJS (index.cjs)": `const t0 = performance.now(); const api = (await import("node:module")).createRequire(import.meta.url)(${JSON.stringify(join(pkg, "index.cjs"))});`,
  "inline bytes (inline.mjs)": importing(join(pkg, "inline.mjs")),
};
writeFileSync(join(out, "empty.mjs"), "export {};\n");
const warm = `await import(${JSON.stringify(join(out, "empty.mjs"))});`;
const samples = Object.fromEntries(
  Object.keys(cases).flatMap((k) => [
    [k, []],
    [`${k} cold loader`, []],
  ]),
);
for (let i = 0; i < SAMPLES; i++) {
  for (const [name, head] of Object.entries(cases)) {
    // The time is taken before `process.stdout` is touched: Node makes that stream on first use (~4.5 ms),
    // which is neither module's cost (timed in until session 9, it was in every figure).
    const body = `${head} const r = api.parseCallback(${JSON.stringify(SEED)}); const t = performance.now() - t0; if (r.content.data.length !== 2) throw 1; process.stdout.write(String(t));`;
    samples[name].push(
      Number(execFileSync(process.execPath, ["--input-type=module", "-e", warm + body], { encoding: "utf8" })),
    );
    samples[`${name} cold loader`].push(
      Number(execFileSync(process.execPath, ["--input-type=module", "-e", body], { encoding: "utf8" })),
    );
  }
}
console.log(
  `cold start in Node ${process.version}: import + first parseCallback, median of ${SAMPLES} fresh processes`,
);
console.log(
  `  ${"entry".padEnd(28)} after the app's first import (range) | x the baseline | including the ESM loader's first import`,
);
const baseline = samples["baseline (pure JS)"];
for (const name of Object.keys(cases)) {
  // Each sample against the baseline's sample of the same turn (they ran one after the other).
  const times = samples[name].map((t, i) => t / baseline[i]);
  console.log(
    `  ${name.padEnd(28)} ${median(samples[name]).toFixed(2).padStart(8)} ms (${range(samples[name])}) | ${median(times).toFixed(2)}x (${range(times)}) | ${median(samples[`${name} cold loader`]).toFixed(2).padStart(8)} ms`,
  );
}

// ---- workerd ----
const { Miniflare } = await import("miniflare");
const worker = (name, source) =>
  bundleWorker({ stdin: { contents: source, resolveDir: out } }, join(out, name), {
    alias: { cekmutasi: join(pkg, "workerd.mjs") },
  });
const handler = (imp) =>
  `${imp}\nexport default { async fetch(request) { const r = parseCallback(await request.text()); return new Response(String(r.content.data.length)); } };\n`;
const workers = {
  "without the package": await worker("cold-baseline", handler(`import { parseCallback } from "./baseline.mjs";`)),
  "with the package": await worker("cold-package", handler(`import { parseCallback } from "cekmutasi";`)),
};
const wd = Object.fromEntries(Object.keys(workers).map((k) => [k, []]));
const ISOLATES = 15;
for (let i = 0; i < ISOLATES; i++) {
  for (const [name, options] of Object.entries(workers)) {
    const t0 = performance.now();
    const mf = new Miniflare(options);
    const res = await mf.dispatchFetch("http://worker/", { method: "POST", body: SEED });
    if ((await res.text()) !== "2") throw new Error(`${name}: unexpected answer`);
    wd[name].push(performance.now() - t0);
    await mf.dispose();
  }
}
const [base, withPkg] = Object.values(wd).map(median);
// The package's cost per turn: each isolate with it less the one without it just before or after.
const cost = wd["with the package"].map((t, i) => t - wd["without the package"][i]);
console.log(
  `cold start in workerd: a new miniflare to the first response (parse a callback), median of ${ISOLATES} isolates each way`,
);
console.log(
  `  without the package ${base.toFixed(1)} ms | with it ${withPkg.toFixed(1)} ms | the package's cost ${median(cost).toFixed(1)} ms (${range(cost)})`,
);

// ---- workerd itself: 15 isolates in one process ----
// One Worker per service (each its own isolate, its modules compiled and evaluated for it), each on its own
// port; the time from the process's start to every one's first response. Interleaved rounds, each way.
const workerdPackage = await import("workerd");
const workerd = workerdPackage.default.default; // the binary's path
/** Ports free a moment ago, one per isolate (workerd cannot be told to choose its own and report them). */
async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((r) => {
          const s = createNetServer();
          s.listen(0, "127.0.0.1", () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
/** `wasm`: the name of the Worker's .wasm module, if it has one. */
function workerdConfig(dir, wasm, ports) {
  const names = Array.from({ length: ISOLATES }, (_, i) => `w${i}`);
  const modules = [`(name = "worker.mjs", esModule = embed "${dir}/worker.mjs")`];
  if (wasm) modules.push(`(name = "${wasm}", wasm = embed "${dir}/${wasm}")`);
  return [
    `using Workerd = import "/workerd/workerd.capnp";`,
    `const config :Workerd.Config = (services = [${names.map((n) => `(name = "${n}", worker = .${n})`).join(", ")}],`,
    `  sockets = [${names.map((n, i) => `(name = "${n}", address = "127.0.0.1:${ports[i]}", http = (), service = "${n}")`).join(", ")}]);`,
    ...names.map(
      (n) => `const ${n} :Workerd.Worker = (modules = [${modules.join(", ")}], compatibilityDate = "2025-01-01");`,
    ),
  ].join("\n");
}
async function workerdStart(dir, wasm) {
  const ports = await freePorts(ISOLATES);
  const file = join(out, `${dir}.capnp`);
  writeFileSync(file, workerdConfig(dir, wasm, ports));
  const t0 = performance.now();
  const child = spawn(workerd, ["serve", file], { stdio: ["ignore", "ignore", "inherit"] });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const first = async (i) => {
    for (;;) {
      if (exited) throw new Error(`${dir}: workerd exited before answering`);
      const answer = await fetch(`http://127.0.0.1:${ports[i]}/`, { method: "POST", body: SEED }).then(
        (r) => r.text(),
        () => undefined, // not listening yet
      );
      if (answer === "2") return;
      if (answer !== undefined) throw new Error(`${dir}: unexpected answer ${answer}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await Promise.all(Array.from({ length: ISOLATES }, (_, i) => first(i)));
  const t = performance.now() - t0;
  child.kill("SIGKILL");
  if (!exited) await new Promise((r) => child.on("exit", r));
  return t;
}
const WORKERD_ROUNDS = 7;
// The floor in workerd: the baseline Worker reading the body in benches/floor.wat's module first.
await bundleWorker(
  {
    stdin: {
      contents: `import floor from "./floor.wasm";\nconst wasm = new WebAssembly.Instance(floor).exports;\n${floorParse}\n${handler("")}`,
      resolveDir: out,
    },
  },
  join(out, "cold-floor"),
);
const starts = { without: [], with: [], floor: [] };
for (let i = 0; i < WORKERD_ROUNDS; i++) {
  starts.without.push(await workerdStart("cold-baseline", undefined));
  starts.with.push(await workerdStart("cold-package", "cekmutasi_bg.wasm"));
  starts.floor.push(await workerdStart("cold-floor", "floor.wasm"));
}
const perIsolate = starts.with.map((t, i) => (t - starts.without[i]) / ISOLATES);
const floorPerIsolate = starts.floor.map((t, i) => (t - starts.without[i]) / ISOLATES);
console.log(
  `cold start in workerd ${workerdPackage.version}: one process serving ${ISOLATES} isolates, its start to all first responses, median of ${WORKERD_ROUNDS} rounds`,
);
console.log(
  `  without the package ${median(starts.without).toFixed(1)} ms | with it ${median(starts.with).toFixed(1)} ms | the package's cost per isolate ${median(perIsolate).toFixed(1)} ms (${range(perIsolate)})`,
);
console.log(
  `  the floor (a minimal .wasm, benches/floor.wat) ${median(starts.floor).toFixed(1)} ms | its cost per isolate ${median(floorPerIsolate).toFixed(1)} ms (${range(floorPerIsolate)})`,
);
