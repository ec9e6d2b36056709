// Matching: the package against an idiomatic pure-JS implementation of the same rules (a Map from amount
// string to invoices), side by side in one Node process, rounds interleaved, median taken (ratios: the
// median of the rounds' ratios and their range).
//   1. a Matcher with 1M resident invoices, batches of 1000 credits: throughput and resident memory per
//      invoice (wasm memory growth / invoices; JS heap growth / invoices for the baseline), measured first,
//      while the wasm memory is fresh (it never shrinks);
//   2. matchPayments with 200k invoices x 50k credits.
// Run with `make bench` (node --expose-gc).
import api, { Matcher, matchPayments } from "../pkg/index.mjs";

const ROUNDS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** The ratio of each round (the baseline's time over the package's: > 1, the package is faster), as
 * `median (min–max)`: the noise the rounds show. */
const ratios = (t) => {
  const r = t.js.map((js, i) => js / t.wasm[i]);
  return `${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`;
};
const gc = globalThis.gc ?? (() => {});

// ---- data: invoices with unique-code amounts, credits paying most of them ----
// Order totals from a price list, each made unique with a code of 1..999 as uniqueAmount does (a few
// prices get more orders than codes, so some amounts repeat: the ambiguous cases).
function invoices(n, seed = 1) {
  const out = [];
  const used = new Map();
  const prices = Math.ceil(n / 1000);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const base = 10_000 * (1 + (Math.floor(x / 65536) % prices)); // high bits: the low ones cycle
    const code = 1 + ((used.get(base) ?? 0) % 999);
    used.set(base, code);
    out.push({
      id: `INV-${i}`,
      amount: `${base + code}.00`,
      created_at: 1_700_000_000 + i,
      expires_at: 1_700_000_000 + i + 86_400,
    });
  }
  return out;
}
function credits(invs, n, firstId = 1) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const inv = invs[(i * 7919) % invs.length];
    const miss = i % 10 === 0; // 10 % pay an amount nobody owes
    out.push({
      id: firstId + i,
      unix_timestamp: inv.created_at + 60 + (i % 3600), // paid within the hour after the order
      type: i % 25 === 0 ? "debit" : "credit",
      amount: miss ? `${i + 1}.37` : inv.amount,
      description: `TRSF E-BANKING CR ${i}`,
    });
  }
  return out;
}

// ---- the baseline: same rules, idiomatic JS ----
const AMOUNT = /^\d+(\.\d{1,2})?$/;
function key(a) {
  const t = typeof a === "number" ? String(a) : a;
  if (typeof t !== "string" || !AMOUNT.test(t)) throw new Error(`bad amount ${a}`);
  const [i, f = ""] = t.split(".");
  return `${BigInt(i)}.${f.padEnd(2, "0")}`;
}
class JsMatcher {
  constructor(options = {}) {
    this.grace = options.grace_seconds ?? 0;
    this.oldest = options.on_ambiguous === "oldest";
    this.requireRef = options.require_reference ?? false;
    this.seen = new Set(options.seen ?? []);
    this.byAmount = new Map();
    this.byId = new Map();
  }
  add(inv) {
    if (this.byId.has(inv.id)) throw new Error("duplicate id");
    const k = key(inv.amount);
    const entry = {
      id: inv.id,
      amount: k,
      created_at: inv.created_at ?? -Infinity,
      expires_at: inv.expires_at ?? Infinity,
      reference: inv.reference?.toLowerCase(),
      service_code: inv.service_code,
      account_number: inv.account_number,
    };
    this.byId.set(inv.id, entry);
    const list = this.byAmount.get(k);
    if (list) list.push(entry);
    else this.byAmount.set(k, [entry]);
  }
  remove(id) {
    const e = this.byId.get(id);
    if (!e) return false;
    this.byId.delete(id);
    const list = this.byAmount.get(e.amount);
    list.splice(list.indexOf(e), 1);
    if (list.length === 0) this.byAmount.delete(e.amount);
    return true;
  }
  get size() {
    return this.byId.size;
  }
  match(rows) {
    const r = { matched: [], ambiguous: [], unmatched: [], ignored: [] };
    const order = [...rows].sort((a, b) => a.unix_timestamp - b.unix_timestamp || a.id - b.id);
    const batch = new Set();
    for (const m of order) {
      if (this.seen.has(m.id)) {
        r.ignored.push({ mutation_id: m.id, reason: "seen" });
        continue;
      }
      if (batch.has(m.id)) {
        r.ignored.push({ mutation_id: m.id, reason: "duplicate" });
        continue;
      }
      batch.add(m.id);
      if (m.type !== "credit") {
        r.ignored.push({ mutation_id: m.id, reason: m.type === "debit" ? "debit" : "not_credit" });
        continue;
      }
      const k = key(m.amount);
      const desc = m.description.toLowerCase();
      const cands = [];
      const refd = [];
      for (const e of this.byAmount.get(k) ?? []) {
        if (m.unix_timestamp < e.created_at || m.unix_timestamp > e.expires_at + this.grace) continue;
        if (e.service_code !== undefined && e.service_code !== m.service_code) continue;
        if (e.account_number !== undefined && e.account_number !== m.account_number) continue;
        const hit = e.reference !== undefined && desc.includes(e.reference);
        if (this.requireRef && !hit) continue;
        cands.push(e);
        if (hit) refd.push(e);
      }
      const pool = refd.length ? refd : cands;
      if (pool.length === 0) {
        r.unmatched.push(m.id);
        continue;
      }
      pool.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
      if (pool.length > 1 && !this.oldest) {
        r.ambiguous.push({ mutation_id: m.id, invoice_ids: pool.map((e) => e.id) });
        continue;
      }
      this.remove(pool[0].id);
      r.matched.push({ invoice_id: pool[0].id, mutation_id: m.id, amount: k });
    }
    for (const id of batch) this.seen.add(id);
    return r;
  }
}
function jsMatchPayments(invs, rows, options) {
  const m = new JsMatcher(options);
  for (const inv of invs) m.add(inv);
  return m.match(rows);
}

// ---- 2. Matcher, 1M resident ----
{
  const N = 1_000_000;
  const invs = invoices(N, 7);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const jm = new JsMatcher();
  for (const inv of invs) jm.add(inv);
  gc();
  const jsBytes = (process.memoryUsage().heapUsed - heap0) / N;

  const mem0 = api.__memoryBytes();
  const wm = new Matcher();
  for (let i = 0; i < N; i += 10_000) wm.addAll(invs.slice(i, i + 10_000));
  const wasmBytes = (api.__memoryBytes() - mem0) / N;

  const BATCHES = 20;
  const batches = [];
  for (let b = 0; b < BATCHES * ROUNDS; b++) batches.push(credits(invs, 1000, 10_000_000 + b * 1000));
  const t = { js: [], wasm: [] };
  let next = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const mine = batches.slice(next, next + BATCHES);
    next += BATCHES;
    for (const [name, m] of [
      ["js", jm],
      ["wasm", wm],
    ]) {
      const s = performance.now();
      for (const batch of mine) m.match(batch);
      t[name].push((performance.now() - s) / (BATCHES * 1000));
    }
  }
  const js = median(t.js) * 1e3,
    wasm = median(t.wasm) * 1e3;
  console.log(`Matcher, ${N} resident invoices, batches of 1000 credits (${wm.size} / ${jm.size} left)`);
  console.log(`  js ${js.toFixed(2)} µs/credit | wasm ${wasm.toFixed(2)} µs/credit | throughput ratio ${ratios(t)}`);
  console.log(
    `  resident memory per invoice: wasm ${wasmBytes.toFixed(0)} bytes | js heap ${jsBytes.toFixed(0)} bytes`,
  );
}

// ---- 1. matchPayments ----
{
  const invs = invoices(200_000);
  const rows = credits(invs, 50_000);
  const a = jsMatchPayments(invs, rows);
  const b = matchPayments(invs, rows);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error("matchPayments: outputs differ");
  const t = { js: [], wasm: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of [
      ["js", () => jsMatchPayments(invs, rows)],
      ["wasm", () => matchPayments(invs, rows)],
    ]) {
      gc();
      const s = performance.now();
      fn();
      t[name].push(performance.now() - s);
    }
  }
  const js = median(t.js),
    wasm = median(t.wasm);
  console.log(
    `matchPayments 200k invoices x 50k credits (${b.matched.length} matched, ${b.ambiguous.length} ambiguous, ${b.unmatched.length} unmatched)`,
  );
  console.log(`  js ${js.toFixed(1)} ms | wasm ${wasm.toFixed(1)} ms | ratio ${ratios(t)}`);
}

// ---- 3. a callback's report straight to the matcher: bytes -> parse -> match, 1000-row reports ----
{
  const { parseCallback } = api;
  const invs = invoices(200_000, 3);
  const rowsOf = (k) =>
    credits(invs, 1000, 50_000_000 + k * 1000).map((r) => ({
      ...r,
      amount: r.amount.includes(".") ? r.amount : `${r.amount}.00`,
    }));
  const bodies = [];
  for (let k = 0; k < 40; k++) {
    const data = rowsOf(k).map((r) => ({ ...r, balance: "1000000.00" }));
    const content = {
      service_name: "Bank BRI",
      service_code: "bri",
      account_number: "1234567890",
      account_name: "Toko",
      data,
    };
    bodies.push(new TextEncoder().encode(JSON.stringify({ action: "payment_report", content })));
  }
  const decoder = new TextDecoder();
  const jm = new JsMatcher();
  const wm = new Matcher();
  for (const inv of invs) jm.add(inv);
  wm.addAll(invs);
  const t = { js: [], wasm: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const mine = bodies.slice(r * 8, r * 8 + 8);
    let s = performance.now();
    // The JS receiver: decode, parse, check the report (as benches/callback.mjs's validator), match its rows.
    for (const b of mine) {
      const doc = JSON.parse(decoder.decode(b));
      if (doc.action !== "payment_report" || !Array.isArray(doc.content?.data)) throw new Error("bad report");
      for (const m of doc.content.data)
        if (!Number.isSafeInteger(m.id) || typeof m.amount !== "string") throw new Error("bad row");
      jm.match(doc.content.data);
    }
    t.js.push((performance.now() - s) / mine.length);
    s = performance.now();
    for (const b of mine) wm.match(parseCallback(b));
    t.wasm.push((performance.now() - s) / mine.length);
  }
  const js = median(t.js),
    wasm = median(t.wasm);
  console.log("callback report -> Matcher.match, 1000-row reports, 200k resident invoices");
  console.log(`  js ${js.toFixed(2)} ms/report | wasm ${wasm.toFixed(2)} ms/report | ratio ${ratios(t)}`);
}
