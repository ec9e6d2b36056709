// The client against a real HTTP server on loopback whose answers each test scripts: retries, the
// at-most-once rule for every call that moves money or changes state, timeouts, searchAll across the cap.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { CekMutasi, CekMutasiError } from "cekmutasi";

/** A server that answers each request with the next scripted step ({ status, body, headers, delay, reset }). */
async function scripted(handler) {
  const requests = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const seen = { method: req.method, url: req.url, headers: req.headers, body };
    requests.push(seen);
    const step = await handler(seen, requests.length);
    if (step.delay) await new Promise((r) => setTimeout(r, step.delay));
    if (step.reset) return req.socket.destroy();
    if (res.destroyed) return;
    res.writeHead(step.status ?? 200, { "content-type": "application/json", ...(step.headers ?? {}) });
    res.end(typeof step.body === "string" ? step.body : JSON.stringify(step.body));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  return {
    url,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

const ok = (payload, key = "data") => ({ body: { success: true, error_message: "", [key]: payload } });
const KEY = "s3cret-api-key";

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    assert.ok(!e.message.includes(KEY), e.message);
    return { code: e.code, status: e.status, path: e.path };
  }
  assert.fail("resolved");
}

test("a call: headers, form body, typed payload; one method per endpoint", async () => {
  const s = await scripted(() => ok({ ip: { v4: "127.0.0.1", v6: "::1" } }, "response"));
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url });
    assert.deepEqual(await client.myIp(), { ip: { v4: "127.0.0.1", v6: "::1" } });
    assert.equal(s.requests[0].method, "POST");
    assert.equal(s.requests[0].url, "/v1/myip");
    assert.equal(s.requests[0].headers["api-key"], KEY);
    assert.equal(s.requests[0].headers.accept, "application/json");
    for (const m of [
      "myIp",
      "addBank",
      "updateBank",
      "deleteBank",
      "listBanks",
      "searchBank",
      "searchPaypal",
      "searchOvo",
      "searchGopay",
      "ovoBankList",
      "ovoTransferInquiry",
      "ovoTransferSend",
      "ovoTransferDetail",
      "ovoToOvoInquiry",
      "ovoToOvoSend",
      "sendWhatsapp",
    ]) {
      assert.equal(typeof client[m], "function", m);
    }
  } finally {
    await s.close();
  }
});

test("read-only calls are retried on 5xx, 429 (honouring Retry-After), timeout and reset", async () => {
  const plan = [
    { status: 503, body: "busy" },
    { status: 429, body: "slow down", headers: { "retry-after": "1" } },
    ok([]),
  ];
  const s = await scripted((_, n) => plan[n - 1]);
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url });
    const started = Date.now();
    assert.deepEqual(await client.listBanks({ service_code: "bca" }), []);
    assert.equal(s.requests.length, 3);
    assert.ok(Date.now() - started >= 1000, "Retry-After: 1 was not honoured");
    assert.equal(s.requests[2].url, "/v1/bank/list?service_code=bca");
  } finally {
    await s.close();
  }
  const flaky = await scripted((_, n) =>
    n === 1 ? { reset: true } : n === 2 ? { delay: 400, ...ok([]) } : ok([{ code: "014", name: "BCA" }]),
  );
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: flaky.url, timeoutMs: 200 });
    assert.deepEqual(await client.ovoBankList({ source_number: "0812" }), [{ code: "014", name: "BCA" }]);
    assert.equal(flaky.requests.length, 3);
  } finally {
    await flaky.close();
  }
});

test("retries stop at `retries`; api_error and 4xx are never retried", async () => {
  const s = await scripted(() => ({ status: 502, body: "<html>bad gateway</html>" }));
  try {
    assert.deepEqual(await rejects(new CekMutasi({ apiKey: KEY, baseUrl: s.url, retries: 1 }).myIp()), {
      code: "http_error",
      status: 502,
      path: undefined,
    });
    assert.equal(s.requests.length, 2);
    s.requests.length = 0;
    assert.deepEqual(await rejects(new CekMutasi({ apiKey: KEY, baseUrl: s.url, retries: 0 }).myIp()), {
      code: "http_error",
      status: 502,
      path: undefined,
    });
    assert.equal(s.requests.length, 1);
  } finally {
    await s.close();
  }
  const denied = await scripted(() => ({ body: { success: false, error_message: "Invalid API Key", response: [] } }));
  try {
    const e = await rejects(new CekMutasi({ apiKey: KEY, baseUrl: denied.url }).myIp());
    assert.deepEqual(e, { code: "api_error", status: 200, path: undefined });
    assert.equal(denied.requests.length, 1);
  } finally {
    await denied.close();
  }
});

// Every call that moves money or changes state, with valid parameters.
const WRITES = {
  "bank/add": {
    service_code: "bca",
    package_code: "basic",
    username: "u",
    password: "p",
    account_number: "1",
    account_name: "A",
  },
  "bank/update": { id: 1, status: "INACTIVE" },
  "bank/delete": { id: 1 },
  "ovo/transfer/inquiry": { source_number: "0812", bank_code: "014", destination_number: "123" },
  "ovo/transfer/send": { uuid: "u-1", token: "t-1", amount: 150000, note: "gaji" },
  "ovo/transfer-ovo/inquiry": { source_number: "0812", phone: "0813" },
  "ovo/transfer-ovo/send": { source_number: "0812", phone: "0813", amount: 10000 },
  "whatsapp/send": { mutation_id: 7, sender_phone: "0812", receiver_phone: "0813", tokens: { name: "Budi" } },
};

test("money-moving and state-changing calls are sent at most once under 500, timeout and reset", async () => {
  const faults = [
    [{ status: 500, body: { success: false, error_message: "Internal Server Error" } }, "api_error"],
    [{ status: 500, body: "oops" }, "http_error"],
    [{ delay: 500, ...ok({}) }, "timeout"],
    [{ reset: true }, "network_error"],
  ];
  let checked = 0;
  for (const [path, params] of Object.entries(WRITES)) {
    for (const [step, code] of faults) {
      const s = await scripted(() => step);
      try {
        const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url, timeoutMs: 150, retries: 5 });
        const e = await rejects(client.request(path, params));
        assert.equal(e.code, code, `${path} ${code}`);
        // Give a wrongly scheduled retry the time to arrive before counting.
        await new Promise((r) => setTimeout(r, 400));
        assert.equal(s.requests.length, 1, `${path} was sent ${s.requests.length} times after ${code}`);
        checked++;
      } finally {
        await s.close();
      }
    }
  }
  assert.equal(checked, 32);
});

test("timeouts are enforced with the configured value", async () => {
  const s = await scripted(() => ({ delay: 2000, ...ok({}) }));
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url, timeoutMs: 300, retries: 0 });
    const started = Date.now();
    assert.equal((await rejects(client.myIp())).code, "timeout");
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
  } finally {
    await s.close();
  }
});

test("a refused connection is network_error; bad options are config", async () => {
  const s = await scripted(() => ok({}));
  const url = s.url;
  await s.close();
  assert.equal((await rejects(new CekMutasi({ apiKey: KEY, baseUrl: url, retries: 0 }).myIp())).code, "network_error");
  // The message names the host and the cause in words, never the key.
  const refused = await new CekMutasi({ apiKey: KEY, baseUrl: url, retries: 0 }).myIp().catch((e) => e);
  assert.equal(refused.message, `could not reach ${new URL(url).host}: the connection was refused (ECONNREFUSED)`);
  const resetting = await scripted(() => ({ reset: true }));
  const reset = await new CekMutasi({ apiKey: KEY, baseUrl: resetting.url, retries: 0 }).myIp().catch((e) => e);
  await resetting.close();
  assert.equal(reset.code, "network_error");
  assert.match(
    reset.message,
    new RegExp(
      `^could not reach ${new URL(resetting.url).host}: the connection was reset \\((UND_ERR_SOCKET|ECONNRESET)\\)$`,
    ),
  );
  assert.throws(
    () => new CekMutasi({ apiKey: "" }),
    (e) => e.code === "config",
  );
  assert.throws(
    () => new CekMutasi({ apiKey: KEY, retries: 99 }),
    (e) => e.code === "config" && e.path === "options.retries",
  );
  assert.throws(
    () => new CekMutasi({ apiKey: KEY, baseUrl: "file:///etc" }),
    (e) => e.code === "config",
  );
  const e = await rejects(
    new CekMutasi({ apiKey: KEY, baseUrl: url }).searchBank({ date: { from: "2018-02-30 00:00:00" } }),
  );
  assert.deepEqual(e, { code: "invalid_params", status: undefined, path: "search.date.from" });
});

/** A search service over `rows` that caps every answer at 1000 rows, as the service does. */
function searchService(rows) {
  return ({ body }) => {
    const form = new URLSearchParams(body);
    const from = form.get("search[date][from]");
    const to = form.get("search[date][to]");
    const local = (r) => new Date((r.unix_timestamp + 7 * 3600) * 1000).toISOString().replace("T", " ").slice(0, 19);
    const hits = rows.filter(
      (r) =>
        local(r) >= from && local(r) <= to && (!form.get("search[amount]") || r.amount === form.get("search[amount]")),
    );
    return ok(hits.slice(0, 1000), "response");
  };
}

test("searchAll splits the date range across the 1000-row cap: 5000 rows, each once, in time order", async () => {
  const start = Date.UTC(2018, 3, 9) / 1000 - 7 * 3600; // 2018-04-09 00:00:00 in Jakarta
  const rows = Array.from({ length: 5000 }, (_, i) => ({
    id: 90_000 + i,
    unix_timestamp: start + Math.floor(i * 17.28), // spread over one day
    type: i % 4 ? "credit" : "debit",
    amount: `${10000 + i}.00`,
    description: `TRF ${i}`,
  }));
  const s = await scripted(searchService(rows));
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url });
    const all = await client.searchAll("bank", {
      date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" },
      type: "credit",
    });
    assert.equal(all.length, 5000);
    assert.equal(new Set(all.map((r) => r.id)).size, 5000);
    assert.deepEqual(
      all.map((r) => r.id),
      rows.map((r) => r.id),
    );
    assert.ok(s.requests.length > 5, `${s.requests.length} requests`);
    console.log(`searchAll: ${all.length} rows across the cap in ${s.requests.length} requests`);
    const e = await rejects(client.searchAll("bank", { type: "credit" }));
    assert.deepEqual(e, { code: "invalid_params", status: undefined, path: "search.date" });
  } finally {
    await s.close();
  }
});

test("confirmMutation: true only for the same id, type and amount", async () => {
  const t = Date.UTC(2018, 3, 9, 3) / 1000;
  const rows = [{ id: 1, unix_timestamp: t, type: "credit", amount: "50000.00", description: "x" }];
  const s = await scripted(searchService(rows));
  try {
    const client = new CekMutasi({ apiKey: KEY, baseUrl: s.url });
    const account = { service_code: "bri", account_number: "123" };
    // The same row confirms; another id, type or amount does not.
    for (const [change, confirmed] of [
      [{}, true],
      [{ id: 2 }, false],
      [{ type: "debit" }, false],
      [{ amount: "50001.00" }, false],
    ]) {
      assert.equal(await client.confirmMutation({ ...rows[0], ...change }, account), confirmed, JSON.stringify(change));
    }
    const form = new URLSearchParams(s.requests[0].body);
    assert.deepEqual(Object.fromEntries(form), {
      "search[date][from]": "2018-04-08 10:00:00",
      "search[date][to]": "2018-04-10 10:00:00",
      "search[amount]": "50000.00",
      "search[service_code]": "bri",
      "search[account_number]": "123",
    });
  } finally {
    await s.close();
  }
});
