// The package as CommonJS users require it: the same API as the ESM entry, and the two agree when a process
// loads both.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const cekmutasi = require("cekmutasi");

const SEED = readFileSync(join(__dirname, "..", "fixtures", "seed_report.json"), "utf8");

test("require('cekmutasi') parses and throws CekMutasiError", () => {
  const report = cekmutasi.parseCallback(SEED);
  assert.equal(report.content.data[0].amount, "1400026.00");
  assert.throws(
    () => cekmutasi.parseCallback("{"),
    (e) => e instanceof cekmutasi.CekMutasiError && e.code === "invalid_json" && e.status === 400,
  );
  assert.equal(cekmutasi.verifySignature("a", "a"), true);
  assert.equal(typeof cekmutasi.__setErrorClass, "undefined");
});

test("ESM and CJS copies in one process agree: errors, reports, matchers", async () => {
  const esm = await import("cekmutasi");
  // Two entries, two instances (the ESM entry does not load Node's CommonJS loader)...
  assert.notEqual(esm.parseCallback, cekmutasi.parseCallback);
  // ...whose errors are instances of either class,
  const fromCjs = (() => {
    try {
      cekmutasi.parseCallback("{");
    } catch (e) {
      return e;
    }
  })();
  const fromEsm = (() => {
    try {
      esm.parseCallback("{");
    } catch (e) {
      return e;
    }
  })();
  assert.ok(fromCjs instanceof esm.CekMutasiError && fromEsm instanceof cekmutasi.CekMutasiError);
  assert.ok(
    !(new Error("x") instanceof esm.CekMutasiError) && !({ code: "config" } instanceof cekmutasi.CekMutasiError),
  );
  class Mine extends cekmutasi.CekMutasiError {}
  assert.ok(new Mine("m", { code: "config" }) instanceof cekmutasi.CekMutasiError);
  assert.ok(!(fromCjs instanceof Mine));
  // ...and whose reports each other's matchers read from the report's own text.
  const matcher = new esm.Matcher();
  matcher.add({ id: "INV-1", amount: "1400026.00" });
  assert.deepEqual(matcher.match(cekmutasi.parseCallback(SEED)).matched, [
    { invoice_id: "INV-1", mutation_id: 1, amount: "1400026.00" },
  ]);
});
