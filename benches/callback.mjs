// Callback path: raw bytes of a payment report -> validated JS value, the package (pkg/) against an
// idiomatic pure-JS validator doing the same checks, side by side in one Node process (rounds interleaved,
// median taken, so machine noise hits both alike). Prints the ratio per size (> 1 means the package is
// faster; the median of the rounds' ratios and their range) and the .wasm size. Run with `make bench`.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseCallback } from "../pkg/index.mjs";

const SIZES = [1, 10, 100, 1000];
const ROUNDS = 7;
const TARGET_MS = 150; // per way, per round

function report(rows) {
  const data = [];
  for (let i = 0; i < rows; i++) {
    data.push({
      id: 1_000_000 + i,
      unix_timestamp: 1_732_500_000 + i * 37,
      type: i % 3 ? "credit" : "debit",
      amount: `${50_000 + ((i * 7919) % 900_000)}.${String(i % 100).padStart(2, "0")}`,
      description: `TRSF E-BANKING CR ${i} INV-${100_000 + i} PT MAJU JAYA`,
      balance: `${10_000_000 + i * 113}.00`,
    });
  }
  const body = {
    action: "payment_report",
    content: {
      service_name: "Bank BRI",
      service_code: "bri",
      account_number: "1234567890",
      account_name: "Toko Maju",
      data,
    },
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

// ---- the baseline: what a careful JS developer writes by hand ----
const AMOUNT = /^\d+(\.\d{1,2})?$/;
const SIGNED = /^-?\d+(\.\d{1,2})?$/;
const decoder = new TextDecoder("utf-8", { fatal: true });
class ValidationError extends Error {}
function fail(path, msg) {
  throw new ValidationError(`${path}: ${msg}`);
}
function str(v, path) {
  if (typeof v !== "string") fail(path, "must be a string");
  return v;
}
function int(v, path, min) {
  if (!Number.isSafeInteger(v) || v < min) fail(path, "must be an integer");
  return v;
}
function amount(v, path, re) {
  const text = typeof v === "number" ? String(v) : v;
  if (typeof text !== "string" || !re.test(text)) fail(path, "not a decimal amount");
  const dot = text.indexOf(".");
  return dot < 0 ? `${text}.00` : text.length - dot === 2 ? `${text}0` : text;
}
function jsParseCallback(bytes) {
  const doc = JSON.parse(decoder.decode(bytes));
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) fail("", "not an object");
  if (doc.action !== "payment_report") fail("action", "unsupported");
  const c = doc.content;
  if (c === null || typeof c !== "object" || Array.isArray(c)) fail("content", "not an object");
  if (!Array.isArray(c.data)) fail("content.data", "not an array");
  const data = c.data.map((m, i) => {
    const p = `content.data[${i}]`;
    if (m === null || typeof m !== "object") fail(p, "not an object");
    const type = str(m.type, `${p}.type`);
    const out = {
      id: int(m.id, `${p}.id`, 0),
      unix_timestamp: int(m.unix_timestamp, `${p}.unix_timestamp`, -Number.MAX_SAFE_INTEGER),
      type,
      amount: amount(m.amount, `${p}.amount`, type === "credit" || type === "debit" ? AMOUNT : SIGNED),
      description: str(m.description, `${p}.description`),
    };
    if (m.balance != null) out.balance = amount(m.balance, `${p}.balance`, SIGNED);
    return out;
  });
  return {
    action: "payment_report",
    content: {
      service_name: str(c.service_name, "content.service_name"),
      service_code: str(c.service_code, "content.service_code"),
      account_number: str(c.account_number, "content.account_number"),
      account_name: str(c.account_name, "content.account_name"),
      data,
    },
  };
}

// ---- the ways measured ----
let sink = 0;
const ways = {
  "js baseline": (b) => {
    sink += jsParseCallback(b).content.data.length;
  },
  "wasm handle": (b) => {
    // What a receiver that hands the report to the matcher pays: validated, rows not made in JS.
    sink += parseCallback(b).mutationCount;
  },
  "wasm + rows": (b) => {
    // Every row made as a JS object.
    sink += parseCallback(b).content.data.length;
  },
};

function perOp(fn, bytes) {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < TARGET_MS) {
    for (let i = 0; i < 16; i++) fn(bytes);
    n += 16;
    now = performance.now();
  }
  return (now - start) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Each round's ratio (the baseline's time over the way's: > 1, the package is faster): `median (min–max)`. */
const ratios = (base, way) => {
  const r = base.map((b, i) => b / way[i]);
  return `${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`;
};

// Both must agree before anything is timed.
for (const rows of SIZES) {
  const b = report(rows);
  const a = JSON.stringify(jsParseCallback(b));
  const w = JSON.stringify(parseCallback(b));
  if (a !== w) throw new Error(`outputs differ at ${rows} rows`);
}

console.log(`callback: bytes -> validated report, Node ${process.version}, median of ${ROUNDS} interleaved rounds`);
console.log("rows  | js baseline µs | wasm handle µs | ratio (range)      | wasm + rows µs | ratio (range)");
console.log("------|----------------|----------------|--------------------|----------------|-------------------");
for (const rows of SIZES) {
  const bytes = report(rows);
  const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (const fn of Object.values(ways)) perOp(fn, bytes); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(ways)) times[name].push(perOp(fn, bytes));
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v) * 1000]));
  const base = m["js baseline"];
  console.log(
    `${String(rows).padStart(5)} | ${base.toFixed(2).padStart(14)} | ${m["wasm handle"].toFixed(2).padStart(14)} | ` +
      `${ratios(times["js baseline"], times["wasm handle"]).padEnd(18)} | ${m["wasm + rows"].toFixed(2).padStart(14)} | ` +
      `${ratios(times["js baseline"], times["wasm + rows"])}`,
  );
}
const wasm = readFileSync(new URL("../pkg/wasm/cekmutasi_bg.wasm", import.meta.url));
const gz = execFileSync("gzip", ["-9", "-c"], { input: wasm }).length; // the gzip command, as the budget says
console.log(`\n.wasm: ${wasm.length} bytes raw, ${gz} bytes gzip -9`);
if (sink < 0) console.log(sink);
