// What got in a new user's way (#18), each as the user met it: a value JSON cannot carry, dates in the wrong
// zone, an Express request, search rows passed on, the PHP library's endpoints. Against the sandbox, over
// loopback.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  buildRequest,
  CekMutasi,
  CekMutasiError,
  Matcher,
  matchPayments,
  parseCallback,
  parseResponse,
  receiveCallback,
  uniqueAmount,
} from "cekmutasi";
import { startSandbox } from "cekmutasi/sandbox";
import { fetchServer, rejection, SEED } from "./helpers.mjs";

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox({ port: 0 });
  client = new CekMutasi({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, retries: 0 });
});
after(() => sandbox.close());

const opts = { apiKey: "k" };
const fails = (f) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    return `${e.code} ${e.path}: ${e.message}`;
  }
  assert.fail("no error");
};

test("NaN, Infinity and an invalid Date are named where they are, never read as absent", async () => {
  // JSON.stringify writes each as null: a required member was "missing", an optional one silently dropped.
  assert.equal(
    await rejection(client.ovoTransferSend({ uuid: "u", token: "t", amount: Number.NaN })),
    "invalid_params amount: amount: must be a finite number, not NaN",
  );
  assert.equal(
    fails(() => buildRequest("bank/search", { amount: Number.POSITIVE_INFINITY, type: "credit" }, opts)),
    "invalid_params search.amount: search.amount: must be a finite number, not Infinity",
  );
  assert.equal(
    fails(() => buildRequest("bank/search", { date: { from: new Date("31/12/2018") } }, opts)),
    "invalid_params search.date.from: search.date.from: must be a valid date, not an Invalid Date",
  );
  assert.equal(
    fails(() =>
      matchPayments(
        [
          { id: "A", amount: "1.00" },
          { id: "B", amount: "2.00", expires_at: -Infinity },
        ],
        [],
      ),
    ),
    "invalid_params invoices[1].expires_at: invoices[1].expires_at: must be a finite number, not -Infinity",
  );
  assert.equal(
    fails(() => new Matcher().add({ id: "A", amount: Number.NaN })),
    "invalid_params invoice.amount: invoice.amount: must be a finite number, not NaN",
  );
  assert.equal(
    fails(() => uniqueAmount(Number.NaN, [])),
    "invalid_params base: base: must be a finite number, not NaN",
  );
  // A real null is still "absent", as PHP's http_build_query leaves it out.
  assert.equal(buildRequest("bank/search", { amount: null, type: "credit" }, opts).body, "search%5Btype%5D=credit");
});

test("search dates: Asia/Jakarta, and a Date (or an ISO instant) sent as the service's local time", async () => {
  const sent = (date) => decodeURIComponent(buildRequest("bank/search", { date }, opts).body).replaceAll("+", " ");
  assert.equal(
    sent({ from: new Date("2018-04-08T17:00:00.000Z"), to: new Date("2018-04-09T16:59:59.999Z") }),
    "search[date][from]=2018-04-09 00:00:00&search[date][to]=2018-04-09 23:59:59",
  );
  assert.equal(
    sent({ from: "2018-04-09T00:00:00+07:00", to: "2018-04-09T12:00:00-05:00" }),
    "search[date][from]=2018-04-09 00:00:00&search[date][to]=2018-04-10 00:00:00",
  );
  assert.equal(sent({ from: "2018-04-09 00:00:00" }), "search[date][from]=2018-04-09 00:00:00");
  // An instant without its zone is ambiguous: refused, saying which forms are taken.
  assert.match(
    fails(() => buildRequest("bank/search", { date: { from: "2018-04-09T00:00:00" } }, opts)),
    /^invalid_params search\.date\.from: .*Asia\/Jakarta, UTC\+7.*an instant with its zone \(2018-04-08T17:00:00Z, a JS Date\)$/,
  );
  // The order is checked on the times sent: 00:30 in Jakarta is before 18:00 UTC of the day before's end.
  assert.equal(
    fails(() =>
      buildRequest(
        "bank/search",
        { date: { from: "2018-04-09 08:00:00", to: new Date("2018-04-09T00:00:00Z") } },
        opts,
      ),
    ),
    "invalid_params search.date.from: search.date.from: is after to",
  );
  // The sandbox's first mutation of 2018-04-09 is at 00:00:00 in Jakarta: a range written in UTC as
  // "2018-04-09 00:00:00" misses seven hours of it; the same instant as a Date finds it.
  const firstSecond = Date.UTC(2018, 3, 8, 17) / 1000;
  const asText = await client.searchBank({ date: { from: "2018-04-08 17:00:00", to: "2018-04-08 17:00:00" } });
  const asDate = await client.searchBank({
    date: { from: new Date(firstSecond * 1000), to: new Date(firstSecond * 1000) },
  });
  assert.deepEqual([asText.length, asDate.length, asDate[0].unix_timestamp], [0, 1, firstSecond]);
  const all = await client.searchAll("bank", {
    date: { from: new Date(firstSecond * 1000), to: new Date((firstSecond + 86_399) * 1000) },
  });
  assert.equal(all.length, 3000);
});

test("receiveCallback given an Express request, parseCallback given express.json()'s object: what to do instead", async () => {
  const expressLike = { method: "POST", headers: { "api-signature": "s" }, body: JSON.parse(SEED), get: () => "s" };
  assert.equal(
    await rejection(receiveCallback(expressLike, { signature: "s" })),
    "config request: request: must be a Fetch API Request (a method, headers with get(), a body stream), not object; with Node's http or Express, read the raw body and call verifySignature and parseCallback",
  );
  assert.equal(
    fails(() => parseCallback(JSON.parse(SEED))),
    'config body: body: must be a string or a Uint8Array (the raw body: with Express, express.raw({ type: "application/json" })), not object',
  );
});

test("search rows go on as they are: to matchPayments, a Matcher and confirmMutation", async () => {
  const rows = await client.searchBank({
    date: { from: "2018-04-09 00:00:00", to: "2018-04-09 00:05:00" },
    type: "credit",
  });
  assert.equal(rows.length, 8);
  const result = matchPayments([{ id: "INV-1", amount: rows[1].amount }], rows);
  assert.deepEqual(result.matched, [{ invoice_id: "INV-1", mutation_id: rows[1].id, amount: rows[1].amount }]);
  assert.equal(await client.confirmMutation(rows[2], { service_code: "bri", account_number: "1234567890" }), true);
  // A row as some answers carry it (a string of seconds, no description) is a mutation all the same.
  const answer = { success: true, response: [{ id: 9, unix_timestamp: "1523232000", type: "credit", amount: 5000 }] };
  const [row] = parseResponse("paypal/search", 200, JSON.stringify(answer));
  assert.deepEqual(row, { id: 9, unix_timestamp: 1523232000, type: "credit", amount: "5000.00" });
  assert.deepEqual(matchPayments([{ id: "P", amount: 5000 }], [row]).matched, [
    { invoice_id: "P", mutation_id: 9, amount: "5000.00" },
  ]);
  // A confirmMutation argument that is not a mutation names itself, not "mutations[0]".
  assert.equal(
    await rejection(client.confirmMutation({ id: "9" }, { service_code: "bri", account_number: "1" })),
    "invalid_params mutation.id: mutation.id: must be an integer",
  );
});

test("a callback row without description (as PayPal's come) reads as an empty one", () => {
  const report = parseCallback(SEED.replace('"description": "Berita transfer",', ""));
  assert.deepEqual(
    report.content.data.map((m) => m.description),
    ["", "Berita transfer"],
  );
});

test("the PHP library's endpoints (SPEC.md §5): a method each, the same as request(path)", async () => {
  const calls = {
    balance: ["balance"],
    bankBalance: ["bank/balance"],
    ovoBalance: ["ovo/balance"],
    gopayBalance: ["gopay/balance"],
    paypalBalance: ["paypal/balance"],
    listOvo: ["ovo/list"],
    listGopay: ["gopay/list"],
    listPaypal: ["paypal/list"],
    bankDetail: ["bank/detail", { id: 1 }],
    ovoDetail: ["ovo/detail", { id: 3 }],
    gopayDetail: ["gopay/detail", { id: 4 }],
    paypalDetail: ["paypal/detail", { id: 5 }],
    paypalTransactionDetail: ["paypal/transaction/detail", { username: "toko@example.com", transactionid: "PP9003" }],
  };
  for (const [method, [path, params]] of Object.entries(calls)) {
    assert.equal(typeof client[method], "function", method);
    assert.deepEqual(await client[method](params), await client.request(path, params), method);
  }
  assert.equal((await client.bankDetail({ id: 1 })).account_number, "1234567890");
  assert.deepEqual(await client.balance(), { balance: "150000.00" });
  assert.equal(await rejection(client.ovoDetail({})), "invalid_params id: id: missing required member");
});

test("a callback to a receiver: the same description rule through receiveCallback", async () => {
  const server = await fetchServer((request) =>
    receiveCallback(request, { signature: "s" }).then(
      (r) => new Response(JSON.stringify(r.content.data.map((m) => m.description))),
      (e) => new Response(e.code, { status: e.status }),
    ),
  );
  after(server.close);
  const answer = await fetch(server.url, {
    method: "POST",
    headers: { "api-signature": "s" },
    body: SEED.replace('"description": "Berita transfer",', '"description": null,'),
  });
  assert.deepEqual(await answer.json(), ["", "Berita transfer"]);
});
