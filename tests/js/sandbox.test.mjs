// The sandbox shipped in the package, driven by the package's own client: every endpoint, its errors and
// state, faults for users' retry tests, and signed callbacks received by receiveCallback.

import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { CekMutasi, CekMutasiError, Matcher, receiveCallback } from "cekmutasi";
import { MAX_FAULTS, postCallback, startSandbox } from "cekmutasi/sandbox";
import { fetchServer } from "./helpers.mjs";

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox({ port: 0 });
  client = new CekMutasi({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5000 });
});
after(() => sandbox.close());

const control = (what, body) =>
  fetch(`${sandbox.controlUrl}/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.json());

async function apiError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    return [e.code, e.message];
  }
  assert.fail("resolved");
}

test("every documented endpoint through the client", async () => {
  assert.deepEqual(await client.myIp(), { ip: { v4: "127.0.0.1", v6: "::1" } });
  const added = await client.addBank({
    service_code: "bni",
    package_code: "professional",
    username: "u",
    password: "p",
    account_number: "555",
    account_name: "Baru",
    ipn_url: "http://127.0.0.1:1/ipn",
  });
  assert.deepEqual(
    [added.service_code, added.account_number, added.balance, added.status],
    ["bni", "555", "0.00", "ACTIVE"],
  );
  const updated = await client.updateBank({ id: added.id, status: "INACTIVE" });
  assert.equal(updated.status, "INACTIVE");
  assert.deepEqual(
    (await client.listBanks({ service_code: "bni" })).map((a) => a.account_number),
    ["555"],
  );
  assert.equal(await client.deleteBank({ id: added.id }), null);
  assert.deepEqual(await client.listBanks({ service_code: "bni" }), []);
  const day = { from: "2018-04-09 00:00:00", to: "2018-04-09 01:59:59" };
  const bank = await client.searchBank({ date: day, type: "credit" });
  assert.ok(
    bank.length > 50 && bank.every((r) => r.type === "credit" && /^\d+\.\d\d$/.test(r.amount)),
    `${bank.length}`,
  );
  assert.equal(
    (await client.searchOvo({ date: { from: "2018-04-09 00:00:00", to: "2018-04-10 00:00:00" } })).length,
    50,
  );
  const gopay = await client.searchGopay({
    date: { from: "2018-04-09 00:00:00", to: "2018-04-10 00:00:00" },
    partner_phone: "081300000007",
  });
  assert.deepEqual(
    gopay.map((r) => r.id),
    [300_007],
  );
  const paypal = await client.searchPaypal({ currency: "USD" });
  assert.deepEqual([paypal.length, paypal[0].fee, paypal[0].net], [20, "0.50", "9.50"]);
  assert.equal((await client.ovoBankList({ source_number: "081234567890" }))[0].code, "014");
  const inquiry = await client.ovoTransferInquiry({
    source_number: "081234567890",
    bank_code: "014",
    destination_number: "1234567890",
  });
  assert.equal((await client.ovoTransferDetail({ uuid: inquiry.uuid })).status, "inquiry");
  const sent = await client.ovoTransferSend({ uuid: inquiry.uuid, token: inquiry.token, amount: 150000, note: "gaji" });
  assert.deepEqual([sent.status, sent.amount, sent.note], ["success", 150000, "gaji"]);
  assert.equal((await client.ovoTransferDetail({ uuid: inquiry.uuid })).status, "success");
  // The token is single use.
  assert.deepEqual(
    await apiError(client.ovoTransferSend({ uuid: inquiry.uuid, token: inquiry.token, amount: 150000 })),
    ["api_error", "Token has already been used"],
  );
  assert.deepEqual(await client.ovoToOvoInquiry({ source_number: "081234567890", phone: "081300000001" }), {
    fullname: "PENERIMA OVO SANDBOX",
    phone: "081300000001",
  });
  assert.deepEqual(await client.ovoToOvoSend({ source_number: "081234567890", phone: "081300000001", amount: 10000 }), {
    // As the page's sample answers.
    code: 5,
    message: "Transfer success",
    isOvo: 0,
  });
  const wa = await client.sendWhatsapp({
    mutation_id: 100_001,
    sender_phone: "0812",
    receiver_phone: "0813",
    tokens: { name: "Budi" },
  });
  assert.equal(wa.status, "SENT"); // the page's sample's case
  assert.match(wa.message, /^Halo Budi/);
});

test("every undocumented endpoint through request()", async () => {
  const paths = [
    "balance",
    "bank/balance",
    "ovo/balance",
    "gopay/balance",
    "paypal/balance",
    "ovo/list",
    "gopay/list",
    "paypal/list",
  ];
  for (const p of paths) assert.notEqual(await client.request(p), null, p);
  assert.equal((await client.request("bank/detail", { id: 1 })).account_number, "1234567890");
  assert.equal((await client.request("ovo/detail", { id: 3 })).service_code, "ovo");
  assert.equal((await client.request("gopay/detail", { id: 4 })).service_code, "gopay");
  assert.equal((await client.request("paypal/detail", { id: 5 })).service_code, "paypal");
  assert.equal(
    (await client.request("paypal/transaction/detail", { username: "toko@example.com", transactionid: "PP9003" }))
      .amount,
    "13.00",
  );
  assert.deepEqual(await apiError(client.request("bank/detail", { id: 3 })), ["api_error", "Account not found"]);
});

test("the service's errors: API key, validation (by the same table), verbs, the search cap", async () => {
  const wrong = new CekMutasi({ apiKey: "nope", baseUrl: sandbox.url, retries: 0 });
  assert.deepEqual(await apiError(wrong.myIp()), ["api_error", "Invalid API Key"]);
  // A raw request the client would refuse: the sandbox answers with the table's own message.
  const res = await fetch(`${sandbox.url}/ovo/transfer-ovo/send`, {
    method: "POST",
    headers: { "Api-Key": sandbox.apiKey, "Content-Type": "application/x-www-form-urlencoded" },
    body: "source_number=1&phone=2&amount=9999",
  });
  assert.deepEqual(await res.json(), { success: false, error_message: "amount: must be at least 10000" });
  // The key is checked before the parameters: a wrong key learns nothing of them.
  const keyFirst = await fetch(`${sandbox.url}/ovo/transfer-ovo/send`, {
    method: "POST",
    headers: { "Api-Key": "nope", "Content-Type": "application/x-www-form-urlencoded" },
    body: "source_number=1&phone=2&amount=9999",
  });
  assert.deepEqual(await keyFirst.json(), { success: false, error_message: "Invalid API Key", data: [] });
  // bank/delete answers the envelope alone, as the page's sample.
  const added = await client.addBank({
    service_code: "BCA",
    package_code: "Basic",
    username: "u",
    password: "p",
    account_number: "555",
    account_name: "Hapus",
  });
  assert.deepEqual([added.service_code, added.package], ["bca", "basic"]); // sent in canonical case
  const deleted = await fetch(`${sandbox.url}/bank/delete`, {
    method: "POST",
    headers: { "Api-Key": sandbox.apiKey, "Content-Type": "application/x-www-form-urlencoded" },
    body: `id=${added.id}`,
  });
  assert.deepEqual(await deleted.json(), { success: true, error_message: "" });
  // What the pages and the PHP library send: a digit-string amount, any bank code in any case.
  assert.equal((await client.ovoToOvoSend({ source_number: "0812", phone: "0813", amount: "15000" })).code, 5);
  assert.deepEqual(await client.listBanks({ service_code: "BSI" }), []);
  assert.equal((await client.listBanks({ service_code: "BRI" })).length, 1);
  // Amounts compare as decimals, never through a float: 50000.5 is 50000.50.
  const day = { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" };
  const [row] = await client.searchBank({ date: day, type: "credit" });
  const again = await client.searchBank({ date: day, amount: row.amount.replace(/0+$/, "").replace(/\.$/, "") });
  assert.ok(
    again.some((r) => r.id === row.id),
    row.amount,
  );
  assert.equal(
    (await fetch(`${sandbox.url}/ovo/transfer/detail`, { method: "POST", headers: { "Api-Key": sandbox.apiKey } }))
      .status,
    405,
  );
  const postList = await fetch(`${sandbox.url}/bank/list`, { method: "POST", headers: { "Api-Key": sandbox.apiKey } });
  assert.equal((await postList.json()).data.length, 2);
  assert.equal((await fetch(`${sandbox.url}/bank/nope`, { method: "POST" })).status, 404);
  const capped = await client.searchBank({ date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" } });
  assert.equal(capped.length, 1000);
  const all = await client.searchAll("bank", { date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" } });
  assert.equal(all.length, 3000);
});

test("faults on demand: the client retries a read, never a transfer", async () => {
  await control("faults", { count: 2, status: 503 });
  assert.deepEqual(await client.myIp(), { ip: { v4: "127.0.0.1", v6: "::1" } });
  await control("faults", { count: 1, status: 500, body: "boom" });
  assert.equal((await client.ovoBankList({ source_number: "081234567890" }))[0].code, "014");
  // An inquiry makes a single-use token: not retried either.
  await control("faults", { count: 1, status: 503 });
  assert.equal(
    (
      await apiError(
        client.ovoTransferInquiry({ source_number: "081234567890", bank_code: "014", destination_number: "1" }),
      )
    )[0],
    "http_error",
  );
  const inquiry = await client.ovoTransferInquiry({
    source_number: "081234567890",
    bank_code: "014",
    destination_number: "1",
  });
  await control("faults", { count: 1, reset: true });
  assert.equal(
    (await apiError(client.ovoTransferSend({ uuid: inquiry.uuid, token: inquiry.token, amount: 10000 })))[0],
    "network_error",
  );
  // Not resent: the token is still unused, and the transfer still an inquiry.
  assert.equal((await client.ovoTransferDetail({ uuid: inquiry.uuid })).status, "inquiry");
});

test("signed callbacks: trigger, and a new mutation posted to the account's ipn_url, received by receiveCallback", async () => {
  const received = [];
  const receiver = await fetchServer(async (request) => {
    try {
      const report = await receiveCallback(request, { signature: sandbox.signature });
      received.push(report);
      return new Response("OK");
    } catch (e) {
      return new Response(e.code, { status: e.status });
    }
  });
  try {
    const trig = await control("trigger", { url: `${receiver.url}/ipn`, amount: 150003, description: "INV-7 BUDI" });
    assert.deepEqual(trig.callback, { status: 200, body: "OK" });
    assert.equal(received[0].content.data[0].amount, "150003.00");
    const forged = await control("trigger", { url: `${receiver.url}/ipn`, signature: "forged" });
    assert.deepEqual(forged.callback, { status: 401, body: "invalid_signature" });

    await client.updateBank({ id: 1, ipn_url: `${receiver.url}/ipn` });
    const added = await control("mutations", { account_id: 1, amount: 250000, description: "INV-8" });
    assert.deepEqual(added.callback, { status: 200, body: "OK" });
    const report = received[1];
    assert.deepEqual(
      [report.content.service_code, report.content.account_number, report.content.data[0].id],
      ["bri", "1234567890", added.mutation.id],
    );
    // The report goes straight to a matcher.
    const matcher = new Matcher();
    matcher.add({ id: "INV-8", amount: "250000", reference: "inv-8" });
    assert.deepEqual(matcher.match(report).matched, [
      { invoice_id: "INV-8", mutation_id: added.mutation.id, amount: "250000.00" },
    ]);
    // And the client confirms it with a search.
    assert.equal(
      await client.confirmMutation(report.content.data[0], { service_code: "bri", account_number: "1234567890" }),
      true,
    );
  } finally {
    await receiver.close();
  }
});

test("the control routes: no other origin, http(s) callback URLs only, faults capped, callbacks never redirected", async () => {
  // The API allows other origins (it needs the key); the control routes never do, preflight included.
  const api = await fetch(`${sandbox.url}/myip`, { method: "POST", headers: { origin: "http://evil.example" } });
  assert.equal(api.headers.get("access-control-allow-origin"), "*");
  const faults = await fetch(`${sandbox.controlUrl}/faults`, {
    method: "POST",
    headers: { origin: "http://evil.example" },
    body: '{"count":0}',
  });
  assert.deepEqual([faults.status, faults.headers.get("access-control-allow-origin")], [200, null]);
  const preflight = await fetch(`${sandbox.controlUrl}/trigger`, {
    method: "OPTIONS",
    headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
  });
  assert.deepEqual([preflight.status, preflight.headers.get("access-control-allow-origin")], [403, null]);
  // Trigger URLs: http(s) only, answered 400 with the reason.
  for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/", "javascript:alert(1)", "not a url"]) {
    const res = await fetch(`${sandbox.controlUrl}/trigger`, { method: "POST", body: JSON.stringify({ url }) });
    const body = await res.json();
    assert.equal(res.status, 400, url);
    assert.match(body.error_message, /callback URL/, url);
  }
  // faults.count capped.
  for (const count of [MAX_FAULTS + 1, 1e9, -1, 1.5, "9"]) {
    const res = await fetch(`${sandbox.controlUrl}/faults`, { method: "POST", body: JSON.stringify({ count }) });
    assert.equal(res.status, 400, String(count));
  }
  assert.equal((await fetch(`${sandbox.controlUrl}/faults`, { method: "POST", body: "{" })).status, 400);
  // postCallback: a redirect is the answer, never followed; a receiver that never answers times out.
  const hits = [];
  const other = createServer((req, res) => {
    hits.push(req.url);
    res.end("stolen");
  });
  await new Promise((r) => other.listen(0, "127.0.0.1", r));
  const redirecting = createServer((_req, res) =>
    res.writeHead(307, { location: `http://127.0.0.1:${other.address().port}/x` }).end(),
  );
  await new Promise((r) => redirecting.listen(0, "127.0.0.1", r));
  const silent = createServer(() => {});
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
  try {
    const answer = await postCallback(`http://127.0.0.1:${redirecting.address().port}/ipn`, {
      signature: "s",
      rows: [{ id: 1, unix_timestamp: 1, type: "credit", amount: "1.00", description: "" }],
    });
    assert.equal(answer.status, 307);
    assert.deepEqual(hits, []);
    const started = Date.now();
    await assert.rejects(
      postCallback(`http://127.0.0.1:${silent.address().port}/ipn`, {
        signature: "s",
        rows: [{ id: 1, unix_timestamp: 1, type: "credit", amount: "1.00", description: "" }],
        timeoutMs: 300,
      }),
      { name: "TimeoutError" },
    );
    assert.ok(Date.now() - started < 3000);
  } finally {
    for (const s of [other, redirecting, silent]) {
      s.closeAllConnections();
      s.close();
    }
  }
});

test("the command line: --help, start, trigger", async () => {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve("cekmutasi/package.json")),
    "bin",
    "cekmutasi-sandbox.mjs",
  );
  assert.match(
    execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" }),
    /cekmutasi-sandbox trigger --url URL/,
  );
  const child = spawn(process.execPath, [bin, "--port", "0", "--api-key", "cli-key"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const banner = await new Promise((resolve) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("Callback signature")) resolve(out);
      });
    });
    const url = banner.match(/on (http:\/\/\S+)/)[1];
    assert.match(banner, /API key: cli-key/);
    assert.deepEqual(await new CekMutasi({ apiKey: "cli-key", baseUrl: url }).myIp(), {
      ip: { v4: "127.0.0.1", v6: "::1" },
    });
  } finally {
    child.kill();
  }
  const received = [];
  const receiver = await fetchServer(async (request) => {
    received.push(await receiveCallback(request, { signature: "s3" }));
    return new Response("OK");
  });
  try {
    // Asynchronously: the receiver runs in this process and must answer while the command waits.
    const { stdout: out } = await promisify(execFile)(process.execPath, [
      bin,
      "trigger",
      "--url",
      `${receiver.url}/ipn`,
      "--signature",
      "s3",
      "--amount",
      "75000",
    ]);
    assert.match(out, /HTTP 200 OK/);
    assert.equal(received[0].content.data[0].amount, "75000.00");
  } finally {
    await receiver.close();
  }
  // Mistakes and failures: one line on stderr (no stack trace) and an exit code.
  const closed = `http://127.0.0.1:${receiver.url.split(":").pop()}/ipn`;
  const run = (...argv) =>
    promisify(execFile)(process.execPath, [bin, ...argv]).then(
      () => ({ code: 0 }),
      (e) => ({ code: e.code, stderr: e.stderr }),
    );
  const blocker = createServer(() => {});
  await new Promise((r) => blocker.listen(0, "127.0.0.1", r));
  const busy = String(blocker.address().port);
  try {
    const cases = [
      [
        ["trigger", "--url", closed, "--amount", "abc"],
        2,
        'cekmutasi-sandbox: --amount must be an amount such as 150003 or 150003.50, not "abc"',
      ],
      [["trigger", "--url", closed], 1, `cekmutasi-sandbox: could not post to ${closed}: the connection was refused`],
      [
        ["trigger", "--url", "file:///etc/passwd"],
        1,
        "cekmutasi-sandbox: could not post to file:///etc/passwd: the callback URL must be http(s), not file:",
      ],
      [["--port", "abc"], 2, 'cekmutasi-sandbox: --port must be a whole number from 0 to 65535, not "abc"'],
      [
        ["--port", busy, "--host", "127.0.0.1"],
        1,
        `cekmutasi-sandbox: port ${busy} is in use: choose another with --port`,
      ],
      [["serve"], 2, 'cekmutasi-sandbox: unknown command "serve" (see --help)'],
    ];
    for (const [argv, code, line] of cases) {
      assert.deepEqual(await run(...argv), { code, stderr: `${line}\n` }, argv.join(" "));
    }
  } finally {
    blocker.close();
  }
});

test("the sandbox records a triggered mutation (confirmMutation finds it) and numbers mutations apart across runs", async () => {
  const receiver = await fetchServer(async () => new Response("OK"));
  try {
    const trig = await control("trigger", { url: `${receiver.url}/ipn`, amount: 150004 });
    assert.equal(trig.callback.status, 200);
    const m = trig.mutation;
    assert.ok(m.id > Date.UTC(2026, 0, 1), `an id from the start time: ${m.id}`);
    assert.equal(await client.confirmMutation(m, { service_code: "bri", account_number: "1234567890" }), true);
    const other = await startSandbox({ port: 0 });
    try {
      const next = await fetch(`${other.controlUrl}/trigger`, {
        method: "POST",
        body: JSON.stringify({ url: `${receiver.url}/ipn` }),
      }).then((r) => r.json());
      assert.notEqual(next.mutation.id, m.id);
    } finally {
      await other.close();
    }
  } finally {
    await receiver.close();
  }
});
