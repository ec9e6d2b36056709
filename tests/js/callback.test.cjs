// The package as CommonJS users require it: same API, same instance and error class as the ESM entry.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const cekmutasi = require("cekmutasi");

const SEED = readFileSync(join(__dirname, "..", "fixtures", "seed_report.json"), "utf8");

test("require('cekmutasi') parses and throws CekMutasiError", () => {
  const report = cekmutasi.parseCallback(SEED);
  assert.equal(report.content.data[0].amount, "1400026.00");
  assert.throws(() => cekmutasi.parseCallback("{"), (e) => e instanceof cekmutasi.CekMutasiError && e.code === "invalid_json" && e.status === 400);
  assert.equal(cekmutasi.verifySignature("a", "a"), true);
  assert.equal(typeof cekmutasi.__setErrorClass, "undefined");
});

test("ESM and CJS share one module", async () => {
  const esm = await import("cekmutasi");
  assert.equal(esm.CekMutasiError, cekmutasi.CekMutasiError);
  assert.equal(esm.parseCallback, cekmutasi.parseCallback);
  assert.equal(esm.default, cekmutasi);
});
