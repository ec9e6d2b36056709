// What the .wasm users load is made of: the module's size (raw and gzip -9), and its code and data by
// crate, measured with twiggy on the same build with names kept (wasm-bindgen, then wasm-opt -O3 -g; the
// shipped module is that without its name section). `make size` runs it after `make build`, whose last
// cargo build is the module users load (the sandbox's is built first).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "target", "size");
mkdirSync(out, { recursive: true });
const shipped = readFileSync(join(root, "pkg", "wasm", "cekmutasi_bg.wasm"));
const gz = execFileSync("gzip", ["-9", "-c"], { input: shipped }).length; // the gzip command, as the budget says

const features = [
  "bulk-memory",
  "nontrapping-float-to-int",
  "sign-ext",
  "mutable-globals",
  "reference-types",
  "multivalue",
];
execFileSync("wasm-bindgen", [
  "--target",
  "web",
  "--out-dir",
  out,
  join(root, "target", "wasm32-unknown-unknown", "release", "cekmutasi.wasm"),
]);
const named = join(out, "named.wasm");
execFileSync(join(root, "node_modules", ".bin", "wasm-opt"), [
  "-O3",
  "-g",
  ...features.map((f) => `--enable-${f}`),
  join(out, "cekmutasi_bg.wasm"),
  "-o",
  named,
]);
const csv = execFileSync("twiggy", ["top", "-n", "1000000", "--format", "csv", named], {
  encoding: "utf8",
  maxBuffer: 64 << 20,
});

/** The part of the module an item belongs to: a crate, our module, or what wasm-bindgen generates. */
function part(name) {
  if (/function names|data names|custom section|subsection/.test(name)) return null;
  if (name.startsWith("data segment")) return "data (strings, tables)";
  if (/flt2dec|as core\[[0-9a-f]+\]::fmt::(Display|LowerExp)>::fmt$/.test(name) && /f64|flt2dec/.test(name))
    return "core: float formatting";
  const ours = name.match(/cekmutasi::(\w+)/);
  if (ours) return `cekmutasi::${ours[1]}`;
  if (/ shim/.test(name)) return "wasm-bindgen export shims (with what they inline)";
  const crate = name.match(
    /\b(core|alloc|std|serde_json|serde_core|serde|rust_decimal|wasm_bindgen|js_sys|dlmalloc|hashbrown|zmij|compiler_builtins|itoa|tsify)\b/,
  );
  return crate ? crate[1] : "other (imports, tables, glue)";
}
const sizes = new Map();
for (const line of csv.split("\n").slice(1)) {
  const m = line.match(/^"?(.*?)"?,(\d+),/);
  if (!m) continue;
  const p = part(m[1]);
  if (p) sizes.set(p, (sizes.get(p) ?? 0) + Number(m[2]));
}
const total = [...sizes.values()].reduce((a, b) => a + b, 0);
console.log(`.wasm users load: ${shipped.length} bytes raw, ${gz} bytes gzip -9`);
console.log(`| part | bytes | share |\n|---|---:|---:|`);
for (const [p, n] of [...sizes].sort((a, b) => b[1] - a[1]))
  console.log(`| ${p} | ${n} | ${((n * 100) / total).toFixed(1)}% |`);
console.log(`| total (code and data, names excluded) | ${total} | |`);
