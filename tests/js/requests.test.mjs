// Requests through the package as users import it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRequest, CekMutasiError, encodeForm, parseResponse } from "cekmutasi";

function codeAndPath(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    assert.ok(!e.message.includes("s3cret-key"), e.message);
    return [e.code, e.path, e.status];
  }
  assert.fail("did not throw");
}

const opts = { apiKey: "s3cret-key" };

test("buildRequest: a search nests the filters under search, form body as PHP writes it", () => {
  const req = buildRequest(
    "bank/search",
    { date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" }, amount: 50000.5, type: "credit" },
    opts,
  );
  assert.deepEqual(req, {
    method: "POST",
    url: "https://api.cekmutasi.co.id/v1/bank/search",
    headers: {
      "Api-Key": "s3cret-key",
      Accept: "application/json",
      "User-Agent": "cekmutasi-js/0.1.0",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Bdate%5D%5Bto%5D=2018-04-09+23%3A59%3A59&search%5Bamount%5D=50000.5&search%5Btype%5D=credit",
  });
});

test("buildRequest: GET puts the same encoding in the query string", () => {
  const req = buildRequest(
    "ovo/transfer/detail",
    { uuid: "a b/c" },
    { apiKey: "k", baseUrl: "http://127.0.0.1:9/v1/" },
  );
  assert.deepEqual(
    [req.method, req.url, req.body],
    ["GET", "http://127.0.0.1:9/v1/ovo/transfer/detail?uuid=a+b%2Fc", undefined],
  );
});

test("buildRequest: validation names the parameter", () => {
  assert.deepEqual(
    codeAndPath(() => buildRequest("bank/search", { date: { from: "2018-02-30 00:00:00" } }, opts)),
    ["invalid_params", "search.date.from", undefined],
  );
  assert.deepEqual(
    codeAndPath(() =>
      buildRequest("bank/search", { date: { from: "2018-04-10 00:00:00", to: "2018-04-09 00:00:00" } }, opts),
    ),
    ["invalid_params", "search.date.from", undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("ovo/transfer-ovo/send", { source_number: "1", phone: "2", amount: 9999 }, opts)),
    ["invalid_params", "amount", undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("ovo/transfer/send", { uuid: "u", token: "t", amount: 150000.5 }, opts)),
    ["invalid_params", "amount", undefined],
  );
  // bank/add takes a shorter list of banks than bank/search.
  const add = {
    service_code: "mandiri",
    package_code: "basic",
    username: "u",
    password: "p",
    account_number: "1",
    account_name: "A",
  };
  assert.deepEqual(
    codeAndPath(() => buildRequest("bank/add", add, opts)),
    ["invalid_params", "service_code", undefined],
  );
  assert.equal(buildRequest("bank/search", { service_code: "mandiri" }, opts).body, "search%5Bservice_code%5D=mandiri");
  assert.deepEqual(
    codeAndPath(() => buildRequest("paypal/search", { currency: "US" }, opts)),
    ["invalid_params", "search.currency", undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("bank/nope", {}, opts)),
    ["config", undefined, undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("myip", {}, { apiKey: "" })),
    ["config", undefined, undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("myip", {}, { apiKey: "s3cret-key\r\nX: 1" })),
    ["config", undefined, undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("myip", {}, { apiKey: "k", baseUrl: "ftp://x" })),
    ["config", "baseUrl", undefined],
  );
  assert.deepEqual(
    codeAndPath(() => buildRequest("myip", {}, { apiKey: "k", timeoutMs: 5 })),
    ["config", "options.timeoutMs", undefined],
  );
});

test("encodeForm", () => {
  assert.equal(encodeForm({ a: [1, { b: null, c: true }], "k y": "~*" }), "a%5B0%5D=1&a%5B1%5D%5Bc%5D=1&k+y=%7E%2A");
  assert.deepEqual(
    codeAndPath(() => encodeForm("x")),
    ["invalid_params", undefined, undefined],
  );
});

test("parseResponse: typed payloads and the service's errors", () => {
  assert.deepEqual(
    parseResponse("myip", 200, '{"success":true,"error_message":"","response":{"ip":{"v4":"1.2.3.4","v6":"::1"}}}'),
    { ip: { v4: "1.2.3.4", v6: "::1" } },
  );
  assert.deepEqual(
    parseResponse(
      "bank/search",
      200,
      '{"success":true,"response":[{"id":7,"unix_timestamp":1,"type":"credit","amount":50000,"description":"x"}]}',
    ),
    [{ id: 7, unix_timestamp: 1, type: "credit", amount: "50000.00", description: "x" }],
  );
  assert.deepEqual(
    codeAndPath(() => parseResponse("myip", 200, '{"success":false,"error_message":"Invalid API Key"}')),
    ["api_error", undefined, 200],
  );
  assert.deepEqual(
    codeAndPath(() => parseResponse("myip", 503, "Service Unavailable")),
    ["http_error", undefined, 503],
  );
  assert.deepEqual(
    codeAndPath(() => parseResponse("bank/list", 200, '{"success":true,"data":[{"id":"x"}]}')),
    ["invalid_response", "data[0].id", 200],
  );
  try {
    parseResponse("myip", 200, '{"success":false,"error_message":"Invalid API Key"}');
  } catch (e) {
    assert.equal(e.message, "Invalid API Key");
  }
});
