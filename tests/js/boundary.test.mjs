// The boundary swept: every export of the package, every argument, every wrong type JavaScript has. Each
// call must end in a CekMutasiError (never `internal`, never a TypeError) or a documented success, and a
// Matcher made before the sweep must come out of it whole.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import * as cm from "cekmutasi";
import { SEED } from "./helpers.mjs";

// Every per-endpoint method of the client, from the package's endpoint table.
const METHODS = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("cekmutasi/endpoints.json"), "utf8"))
  .filter((e) => e.method)
  .map((e) => e.method);

const WRONG = {
  undefined: undefined,
  null: null,
  number: 150000,
  NaN: NaN,
  boolean: true,
  bigint: 10n,
  symbol: Symbol("s"),
  array: [],
  object: {},
  function: () => {},
  Date: new Date(0),
  "empty string": "",
  "huge string": "x".repeat(16 << 20),
};

const CLOSED = "http://127.0.0.1:9/v1"; // nothing listens: a call that gets through ends in network_error
const credit = { id: 1, unix_timestamp: 1, type: "credit", amount: "150001.00", description: "" };
const request = () =>
  new Request("http://127.0.0.1/ipn", { method: "POST", headers: { "api-signature": "s" }, body: SEED });
const client = () => new cm.CekMutasi({ apiKey: "k", baseUrl: CLOSED, retries: 0 });

/** Each export with a valid value for every argument; the sweep replaces one argument at a time. */
const EXPORTS = [
  ["verifySignature", ["s", "s"], (a) => cm.verifySignature(...a)],
  ["parseCallback", [SEED, {}], (a) => cm.parseCallback(...a)],
  ["receiveCallback", [request, { signature: "s" }], (a) => cm.receiveCallback(...a)],
  ["buildRequest", ["myip", {}, { apiKey: "k" }], (a) => cm.buildRequest(...a)],
  ["encodeForm", [{ a: 1 }], (a) => cm.encodeForm(...a)],
  [
    "parseResponse",
    ["myip", 200, '{"success":true,"error_message":"","response":{"ip":{"v4":"1","v6":""}}}'],
    (a) => cm.parseResponse(...a),
  ],
  ["uniqueAmount", ["150000", ["150001.00"], {}], (a) => cm.uniqueAmount(...a)],
  ["matchPayments", [[{ id: "A", amount: "150001.00" }], [credit], {}], (a) => cm.matchPayments(...a)],
  ["new Matcher", [{}], (a) => new cm.Matcher(...a)],
  ["Matcher.add", [{ id: "B", amount: "5.00" }], (a) => new cm.Matcher().add(...a)],
  ["Matcher.addAll", [[{ id: "B", amount: "5.00" }]], (a) => new cm.Matcher().addAll(...a)],
  ["Matcher.remove", ["B"], (a) => new cm.Matcher().remove(...a)],
  ["Matcher.match", [[credit]], (a) => new cm.Matcher().match(...a)],
  ["new CekMutasi", [{ apiKey: "k", baseUrl: CLOSED }], (a) => new cm.CekMutasi(...a)],
  ["CekMutasi.request", ["myip", {}], (a) => client().request(...a)],
  [
    "CekMutasi.searchAll",
    ["bank", { date: { from: "2018-04-09 00:00:00", to: "2018-04-09 00:00:01" } }],
    (a) => client().searchAll(...a),
  ],
  [
    "CekMutasi.confirmMutation",
    [credit, { service_code: "bri", account_number: "1" }],
    (a) => client().confirmMutation(...a),
  ],
  ...METHODS.map((m) => [`CekMutasi.${m}`, [{}], (a) => client()[m](...a)]),
];

test("every export × every argument × every wrong type: a CekMutasiError or a success, never internal", async () => {
  const keep = new cm.Matcher();
  keep.addAll([
    { id: "INV-1", amount: "150001.00" },
    { id: "INV-2", amount: "150002.00" },
  ]);
  keep.match([{ ...credit, id: 99, amount: "7.00" }]);
  let calls = 0;
  const bad = [];
  const outcomes = {};
  for (const [name, valid, call] of EXPORTS) {
    for (let i = 0; i < valid.length; i++) {
      for (const [kind, value] of Object.entries(WRONG)) {
        const args = valid.map((v) => (typeof v === "function" ? v() : v));
        args[i] = value;
        calls += 1;
        let outcome;
        try {
          await call(args);
          outcome = "ok";
        } catch (e) {
          if (!(e instanceof cm.CekMutasiError) || e.code === "internal") {
            bad.push(
              `${name} argument ${i} = ${kind}: ${e?.name} ${e?.code ?? ""} ${String(e?.message).slice(0, 200)}`,
            );
            continue;
          }
          outcome = e.code;
          if (["verifySignature", "parseCallback", "receiveCallback"].includes(name) && typeof e.status !== "number") {
            bad.push(`${name} argument ${i} = ${kind}: ${e.code} without a status`);
          }
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }
  }
  console.log(
    `boundary sweep: ${calls} calls over ${EXPORTS.length} exports and ${Object.keys(WRONG).length} wrong types: ${JSON.stringify(outcomes)}; ${bad.length} ended in internal or another error`,
  );
  for (const b of bad.slice(0, 40)) console.log(`  ${b}`);
  assert.deepEqual(bad, []);
  // The Matcher made before is whole: the same invoices, the same ids seen, and it still pays.
  assert.equal(keep.size, 2);
  assert.deepEqual(keep.seenIds(), [99]);
  assert.deepEqual(keep.match([credit]).matched, [{ invoice_id: "INV-1", mutation_id: 1, amount: "150001.00" }]);
  assert.ok(calls >= 500, `${calls} calls`);
});

test("the natural mistakes get errors that name the argument", async () => {
  const code = (f) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof cm.CekMutasiError, String(e));
      return [e.code, e.path, e.status, e.message];
    }
    assert.fail("no error");
  };
  // A price as a number is an amount, as everywhere.
  assert.equal(cm.uniqueAmount(150000, []), "150001.00");
  assert.equal(cm.uniqueAmount(150000.5, ["150001.50"]), "150002.50");
  assert.deepEqual(
    code(() => cm.uniqueAmount(true, [])),
    ["invalid_params", "base", undefined, "base: must be a decimal string or a number, not boolean"],
  );
  assert.deepEqual(
    code(() => cm.verifySignature("s", 123)),
    ["config", "received", 500, "received: must be a string, not number"],
  );
  assert.deepEqual(
    code(() => cm.verifySignature(undefined, "s")),
    ["config", "expected", 500, "expected: must be a string, not undefined"],
  );
  assert.deepEqual(
    code(() => new cm.Matcher().remove(42)),
    ["invalid_params", "invoiceId", undefined, "invoiceId: must be a string, not number"],
  );
  assert.deepEqual(
    code(() => cm.parseResponse("myip", "200", "{}")),
    ["invalid_params", "status", undefined, "status: must be an HTTP status (a whole number), not string"],
  );
  const e = await cm.receiveCallback(undefined, { signature: "s" }).catch((e) => e);
  assert.ok(e instanceof cm.CekMutasiError, String(e));
  assert.deepEqual([e.code, e.path, e.status], ["config", "request", 500]);
  assert.match(
    e.message,
    /^request: must be a Fetch API Request .*, not undefined; with Node's http or Express, read the raw body and call verifySignature and parseCallback$/,
  );
  // An Express-style request: a plain headers object and a parsed body.
  const express = { method: "POST", headers: { "api-signature": "s" }, body: { action: "payment_report" } };
  const x = await cm.receiveCallback(express, { signature: "s" }).catch((e) => e);
  assert.deepEqual([x.code, x.path, x.status], ["config", "request", 500]);
  assert.deepEqual(code(() => cm.parseCallback({ action: "payment_report" })).slice(0, 3), ["config", "body", 500]);
  // Every callback error carries a status, so `new Response(e.code, { status: e.status })` never answers 200.
  assert.deepEqual(code(() => cm.parseCallback(SEED, { maxBodyBytes: "big" })).slice(0, 3), [
    "config",
    "options.maxBodyBytes",
    500,
  ]);
});

test("a string body with a lone surrogate: the report shows the text that was validated", () => {
  const body = SEED.replace('"description": "Berita transfer"', '"description": "Berita \ud800"');
  const report = cm.parseCallback(body);
  assert.equal(report.content.data[0].description, "Berita \ufffd");
  assert.equal(JSON.stringify(report).includes("\\ud800"), false);
  // Matching reads the same text.
  const m = new cm.Matcher();
  m.add({ id: "A", amount: "1400026.00" });
  assert.equal(m.match(report).matched.length, 1);
});
