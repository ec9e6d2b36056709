// Panic safety at the boundary: a Rust panic (a bug) traps the WebAssembly instance. Users must get a
// CekMutasiError with code "internal", and every later call must work on a fresh instance: the package stays
// usable, and an object of the ended instance says so instead of reading the fresh instance's memory.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cm from "cekmutasi";
import { SEED } from "./helpers.mjs";

const panic = cm.default.__internal.panicForTests;

test("a panic is a CekMutasiError with code internal, and the next call works", (t) => {
  const logged = [];
  t.mock.method(console, "error", (m) => logged.push(m));
  const before = cm.parseCallback(SEED).content.data.map((m) => m.amount);
  assert.throws(
    () => panic("boom"),
    (e) =>
      e instanceof cm.CekMutasiError &&
      e.code === "internal" &&
      /^internal error in cekmutasi \(unreachable\)/.test(e.message),
  );
  assert.match(
    logged[0],
    /^cekmutasi: internal error, please report it: panicked at src\/wasm\/mod\.rs:\d+:\d+:\nboom$/,
  );
  // The fresh instance: the same answers, and errors are still the package's class. Another body, with
  // another amount, as bytes and as a string: its rows are read from the fresh instance's memory, not from
  // a view of the ended one's (which still holds the tape of the body before).
  assert.deepEqual(
    cm.parseCallback(SEED).content.data.map((m) => m.amount),
    before,
  );
  assert.deepEqual(before, ["1400026.00", "50000.00"]);
  assert.throws(() => panic("boom"), { code: "internal" });
  const other = SEED.replace('"50000.00"', '"50007.25"');
  assert.deepEqual(
    cm.parseCallback(new TextEncoder().encode(other)).content.data.map((m) => m.amount),
    ["1400026.00", "50007.25"],
  );
  assert.throws(() => panic("boom"), { code: "internal" });
  assert.deepEqual(
    cm.parseCallback(other.replace('"1400026.00"', '"9.10"')).content.data.map((m) => m.amount),
    ["9.10", "50007.25"],
  );
  assert.throws(
    () => cm.parseCallback("{"),
    (e) => e instanceof cm.CekMutasiError && e.code === "invalid_json" && e.status === 400,
  );
  assert.equal(cm.uniqueAmount("150000", ["150001.00"]), "150002.00");
});

test("a Matcher of the ended instance refuses to work; a new one works", (t) => {
  t.mock.method(console, "error", () => {});
  const old = new cm.Matcher();
  old.add({ id: "INV-1", amount: "150001.00" });
  assert.throws(() => panic("boom"), { code: "internal" });
  assert.throws(
    () => old.match([{ id: 1, unix_timestamp: 1, type: "credit", amount: "150001.00", description: "" }]),
    (e) => e instanceof cm.CekMutasiError && e.code === "internal" && /make it again/.test(e.message),
  );
  assert.throws(() => old.size, { code: "internal" });
  const fresh = new cm.Matcher();
  fresh.add({ id: "INV-1", amount: "150001.00" });
  assert.deepEqual(
    fresh.match([{ id: 1, unix_timestamp: 1, type: "credit", amount: "150001.00", description: "" }]).matched,
    [{ invoice_id: "INV-1", mutation_id: 1, amount: "150001.00" }],
  );
  assert.ok(fresh instanceof cm.Matcher);
});

test("a trap that is not a panic also ends the instance: the next call runs on a fresh one, as the message says", () => {
  const old = new cm.Matcher();
  old.add({ id: "INV-1", amount: "150001.00" });
  assert.throws(
    () => cm.default.__internal.trapForTests(),
    (e) =>
      e instanceof cm.CekMutasiError &&
      e.code === "internal" &&
      /the next call runs on a fresh instance/.test(e.message),
  );
  // The object of the trapped instance refuses to work: a fresh instance really serves the next calls.
  assert.throws(
    () => old.size,
    (e) => e instanceof cm.CekMutasiError && e.code === "internal" && /make it again/.test(e.message),
  );
  assert.equal(cm.uniqueAmount("150000", ["150001.00"]), "150002.00");
  assert.throws(
    () => cm.parseCallback("{"),
    (e) => e instanceof cm.CekMutasiError && e.code === "invalid_json",
  );
});

test("free() of an object of an ended instance does nothing: the fresh instance's objects stay whole", (t) => {
  t.mock.method(console, "error", () => {});
  const old = new cm.Matcher();
  old.add({ id: "OLD", amount: "150001.00" });
  assert.throws(() => panic("boom"), { code: "internal" });
  // Made first on the fresh instance: the same address the old one had there.
  const fresh = new cm.Matcher();
  fresh.addAll([
    { id: "F-1", amount: "5.00" },
    { id: "F-2", amount: "6.00" },
  ]);
  old.free();
  old.free();
  assert.equal(fresh.size, 2);
  assert.deepEqual(
    fresh.match([{ id: 1, unix_timestamp: 1, type: "credit", amount: "5.00", description: "" }]).matched,
    [{ invoice_id: "F-1", mutation_id: 1, amount: "5.00" }],
  );
  assert.equal(fresh.size, 1);
});

test("2000 panics in a row: each an internal error, the instance never wears out", (t) => {
  t.mock.method(console, "error", () => {});
  let internal = 0;
  for (let i = 0; i < 2000; i++) {
    try {
      panic(`panic ${i}`);
    } catch (e) {
      if (e instanceof cm.CekMutasiError && e.code === "internal") internal += 1;
    }
  }
  assert.equal(internal, 2000);
  const r = cm.buildRequest("bank/search", { amount: "50000" }, { apiKey: "k" });
  assert.equal(r.body, "search%5Bamount%5D=50000");
  assert.equal(cm.parseCallback(SEED).content.data.length, 2);
});
