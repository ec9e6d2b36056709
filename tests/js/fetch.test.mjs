// The client's `fetch` and `userAgent` options (#14): the user's own fetch for every request (recordings,
// a proxy, IPv4 only), the SDK's User-Agent on the wire, and the rules that hold whatever fetch is used.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { CekMutasi } from "cekmutasi";
import { startSandbox } from "cekmutasi/sandbox";
import { Agent, fetch as undiciFetch } from "undici";
import { rejection } from "./helpers.mjs";

let sandbox;
before(async () => {
  sandbox = await startSandbox({ port: 0 });
});
after(() => sandbox.close());

test("a recorded answer through the fetch option: no network, every request seen as sent", async () => {
  const seen = [];
  const recorded = async (url, init) => {
    seen.push({ url, ...init, signal: init.signal instanceof AbortSignal });
    const rows = [{ id: 7, unix_timestamp: 1523232000, type: "credit", amount: "150003.00", description: "INV-7" }];
    return new Response(JSON.stringify({ success: true, error_message: "", response: rows }));
  };
  const client = new CekMutasi({
    apiKey: "k",
    baseUrl: "http://recorded.invalid/v1",
    userAgent: "toko-budi/2.1",
    fetch: recorded,
  });
  const rows = await client.searchBank({ date: { from: "2018-04-09 00:00:00" }, type: "credit" });
  assert.deepEqual(
    rows.map((r) => [r.id, r.amount]),
    [[7, "150003.00"]],
  );
  assert.deepEqual(seen, [
    {
      url: "http://recorded.invalid/v1/bank/search",
      method: "POST",
      headers: {
        "Api-Key": "k",
        Accept: "application/json",
        "User-Agent": "cekmutasi-js/0.1.0 toko-budi/2.1",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Btype%5D=credit",
      signal: true,
      redirect: "manual",
    },
  ]);
});

test("the User-Agent reaches a server on the wire, with the application's token after the SDK's", async (t) => {
  const agents = [];
  const server = createServer((req, res) => {
    agents.push(req.headers["user-agent"]);
    res.end(JSON.stringify({ success: true, error_message: "", response: { ip: { v4: "127.0.0.1" } } }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;
  await new CekMutasi({ apiKey: "k", baseUrl }).myIp();
  await new CekMutasi({ apiKey: "k", baseUrl, userAgent: "toko-budi/2.1" }).myIp();
  assert.deepEqual(agents, ["cekmutasi-js/0.1.0", "cekmutasi-js/0.1.0 toko-budi/2.1"]);
});

test("a wrong fetch or userAgent option is config, naming it; a fetch that answers something else is network_error", async () => {
  const made = (options) => {
    try {
      new CekMutasi({ apiKey: "k", ...options });
    } catch (e) {
      return `${e.code} ${e.path}: ${e.message}`;
    }
    return "made";
  };
  assert.equal(
    made({ fetch: "fetch" }),
    "config options.fetch: options.fetch: must be a function (url, init) => Promise<Response>",
  );
  assert.equal(
    made({ fetch: 5 }),
    "config options.fetch: options.fetch: must be a function (url, init) => Promise<Response>",
  );
  assert.equal(made({ fetch: null }), "made");
  assert.equal(made({ fetch: undefined }), "made");
  assert.equal(
    made({ userAgent: "toko\r\nX-Evil: 1" }),
    "config options.userAgent: options.userAgent: must be 1 to 256 printable ASCII characters (myshop/2.1)",
  );
  const odd = new CekMutasi({
    apiKey: "k",
    baseUrl: "http://odd.invalid/v1",
    retries: 0,
    fetch: async () => ({ ok: true }),
  });
  assert.equal(
    await rejection(odd.myIp()),
    "network_error undefined: could not reach odd.invalid: the fetch option's answer is not a Response (a status, headers.get, a body) (ERR_FETCH_ANSWER)",
  );
});

test("whatever the fetch, a transfer is sent at most once and a read is retried", async () => {
  let calls = 0;
  const failing = async () => {
    calls++;
    throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
  };
  const client = new CekMutasi({ apiKey: "k", baseUrl: "http://flaky.invalid/v1", retries: 2, fetch: failing });
  assert.equal(
    await rejection(client.ovoTransferSend({ uuid: "u", token: "t", amount: 150000 })),
    "network_error undefined: could not reach flaky.invalid: the connection was reset (ECONNRESET)",
  );
  assert.equal(calls, 1);
  calls = 0;
  await rejection(client.myIp());
  assert.equal(calls, 3);
});

test("the global fetch passed unbound, and undici's with an IPv4-only agent, both reach the sandbox", async () => {
  const { port } = new URL(sandbox.url);
  const unbound = globalThis.fetch;
  const plain = new CekMutasi({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, fetch: unbound });
  assert.deepEqual(await plain.myIp(), { ip: { v4: "127.0.0.1", v6: "::1" } });
  // The sandbox listens on 127.0.0.1 only; `localhost` reaches it over IPv4, and the agent's family is
  // what is used: asked for IPv6 only, the same name finds no address.
  const over = (family) =>
    new CekMutasi({
      apiKey: sandbox.apiKey,
      baseUrl: `http://localhost:${port}/v1`,
      retries: 0,
      fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: new Agent({ connect: { family } }) }),
    });
  assert.deepEqual(await over(4).myIp(), { ip: { v4: "127.0.0.1", v6: "::1" } });
  assert.match(await rejection(over(6).myIp()), /^network_error undefined: could not reach localhost:\d+: /);
});
