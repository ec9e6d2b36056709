"use strict";
// The Node entry (CommonJS). The ESM entry, index.mjs, re-exports this very module, so both share one
// WebAssembly instance and one CekMutasiError class.
const glue = require("./node/cekmutasi.js");
const { CekMutasiError } = require("./error.cjs");

glue.__setErrorClass(CekMutasiError);

const api = { CekMutasiError };
for (const [name, value] of Object.entries(glue)) {
  if (!name.startsWith("__")) api[name] = value;
}
module.exports = api;
