// What the client lets through on the wire, against real servers on loopback: never a redirect (the key
// and a transfer go to the base URL only, once), never more of an answer than `maxResponseBytes`, never
// more requests than `maxRequests`; and callback bodies refused before they are copied into the module.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import * as cm from "cekmutasi";

const { CekMutasi, CekMutasiError } = cm;
const KEY = "k3y-never-leaves-the-base-url";

/** A server on loopback that records each request and answers it with `answer(req, res, n)`. */
async function server(answer) {
  const requests = [];
  const s = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    requests.push({ method: req.method, url: req.url, key: req.headers["api-key"], body });
    await answer(req, res, requests.length);
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${s.address().port}`;
  return {
    origin,
    url: `${origin}/v1`,
    requests,
    close: () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(r);
      }),
  };
}

async function failure(promise, { resolved = false } = {}) {
  try {
    await promise;
    if (resolved) return { code: "resolved", message: "" };
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, String(e));
    assert.ok(!e.message.includes(KEY), e.message);
    return { code: e.code, status: e.status, path: e.path, message: e.message };
  }
  assert.fail("resolved");
}

// Both payload members: the searches answer in `response`, the transfer in `data`.
const envelope = (payload) => JSON.stringify({ success: true, error_message: "", response: payload, data: payload });
const row = (id) => ({
  id,
  service_code: "bri",
  account_number: "1",
  unix_timestamp: 1523239200 + (id % 80000),
  type: "credit",
  amount: "5.00",
  description: "",
  balance: "0.00",
});

const CALLS = {
  "a transfer (ovoTransferSend)": (c) => c.ovoTransferSend({ uuid: "u-1", token: "single-use-token", amount: 150000 }),
  "a search (searchBank)": (c) => c.searchBank({ date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" } }),
};

test("a redirect is never followed: the other server receives nothing, the call fails once with the status", async () => {
  const other = await server((_, res) => res.end(envelope([])));
  const got = [];
  const want = [];
  try {
    for (const status of [301, 302, 303, 307, 308]) {
      for (const [name, call] of Object.entries(CALLS)) {
        const base = await server((_, res) =>
          res.writeHead(status, { location: `${other.origin}/v1/steal` }).end(envelope([])),
        );
        const before = other.requests.length;
        try {
          const e = await failure(call(new CekMutasi({ apiKey: KEY, baseUrl: base.url, retries: 5 })), {
            resolved: true,
          });
          got.push(
            `${status} ${name}: ${e.code} ${e.status}, ${base.requests.length} sent, ${other.requests.length - before} received by the other server${/never follows redirects/.test(e.message) ? "" : ` (${e.message})`}`,
          );
          want.push(`${status} ${name}: http_error ${status}, 1 sent, 0 received by the other server`);
        } finally {
          await base.close();
        }
      }
    }
    // A 307 loop to itself: one request, not 21.
    const loop = await server((req, res) => res.writeHead(307, { location: req.url }).end());
    try {
      const e = await failure(
        CALLS["a transfer (ovoTransferSend)"](new CekMutasi({ apiKey: KEY, baseUrl: loop.url })),
        { resolved: true },
      );
      got.push(`307 loop: ${e.code} ${e.status}, ${loop.requests.length} sent`);
      want.push("307 loop: http_error 307, 1 sent");
    } finally {
      await loop.close();
    }
    console.log(got.join("\n"));
    console.log(`keys received by the other server: ${other.requests.filter((r) => r.key === KEY).length}`);
    assert.deepEqual(got, want);
    assert.equal(other.requests.length, 0, "the key and the body reached another server");
  } finally {
    await other.close();
  }
});

test("an answer past maxResponseBytes is refused as it streams, naming the limit; the default is 8 MiB", async () => {
  // 64 MiB offered, written only as fast as the client reads it.
  let written = 0;
  let closed = false;
  const huge = await server(async (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.on("close", () => (closed = true));
    res.write('{"success":true,"error_message":"","response":[');
    const chunk = JSON.stringify(row(1)).concat(",").repeat(400); // ~64 KiB
    while (written < 64 << 20 && !closed) {
      written += chunk.length;
      if (!res.write(chunk)) {
        await new Promise((resolve) => {
          const done = () => {
            res.off("drain", done).off("close", done);
            resolve();
          };
          res.on("drain", done).on("close", done);
        });
      }
    }
    res.end("]}");
  });
  try {
    const memory = cm.default.__memoryBytes();
    const rss = process.memoryUsage().rss;
    const e = await failure(CALLS["a search (searchBank)"](new CekMutasi({ apiKey: KEY, baseUrl: huge.url })));
    await new Promise((r) => setTimeout(r, 100));
    const grown = cm.default.__memoryBytes() - memory;
    const rssGrown = process.memoryUsage().rss - rss;
    console.log(
      `64 MiB offered: ${e.code} at ${e.path}; the server wrote ${(written / 2 ** 20).toFixed(1)} MiB; wasm memory grew ${(grown / 2 ** 20).toFixed(1)} MiB, the process ${(rssGrown / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.deepEqual([e.code, e.path, e.status], ["invalid_response", "options.maxResponseBytes", 200]);
    assert.equal(e.message, "options.maxResponseBytes: the answer is larger than 8388608 bytes (maxResponseBytes)");
    assert.equal(huge.requests.length, 1, "never retried");
    assert.ok(closed, "the client let the connection go");
    assert.ok(written < 24 << 20, `the server wrote ${written} bytes: the client read on`);
    // The body grows by doubling up to the limit; the blocks it leaves behind are free for later calls.
    assert.ok(grown <= 2 * (8 << 20), `wasm memory grew by ${grown} bytes`);
  } finally {
    await huge.close();
  }
  const small = await server((_, res) => res.end(envelope([row(1), row(2)])));
  try {
    const client = (max) => new CekMutasi({ apiKey: KEY, baseUrl: small.url, maxResponseBytes: max });
    const size = Buffer.byteLength(envelope([row(1), row(2)]));
    assert.equal((await CALLS["a search (searchBank)"](client(size))).length, 2, "exactly the limit is read");
    const e = await failure(CALLS["a search (searchBank)"](client(size - 1)));
    assert.deepEqual([e.code, e.path], ["invalid_response", "options.maxResponseBytes"]);
    assert.match(e.message, new RegExp(`larger than ${size - 1} bytes`));
    assert.deepEqual(await failure(Promise.resolve().then(() => client(0))), {
      code: "config",
      status: undefined,
      path: "options.maxResponseBytes",
      message: "options.maxResponseBytes: must be a whole number of bytes from 1 to 4294967295",
    });
  } finally {
    await small.close();
  }
});

test("searchAll against a server that always answers 1000 rows: at most maxRequests requests", async () => {
  const full = envelope(Array.from({ length: 1000 }, (_, i) => row(i + 1)));
  const capped = await server((_, res) => res.end(full));
  try {
    const filters = { date: { from: "2018-04-01 00:00:00", to: "2018-04-30 23:59:59" } };
    const e = await failure(
      new CekMutasi({ apiKey: KEY, baseUrl: capped.url, maxRequests: 10 }).searchAll("bank", filters),
    );
    assert.deepEqual([e.code, e.path], ["invalid_response", "options.maxRequests"]);
    assert.match(e.message, /more than 10 requests/);
    assert.equal(capped.requests.length, 10);
    // The default (1000) is never reached here: halving ends at one second holding the cap.
    capped.requests.length = 0;
    const d = await failure(new CekMutasi({ apiKey: KEY, baseUrl: capped.url }).searchAll("bank", filters));
    assert.deepEqual([d.code, d.path, capped.requests.length], ["invalid_response", "search.date", 23]);
  } finally {
    await capped.close();
  }
});

test("callback bodies over maxBodyBytes are refused before they are copied into the module", async () => {
  const big = "x".repeat(50 << 20);
  const before = cm.default.__memoryBytes();
  const e = await failure(Promise.resolve().then(() => cm.parseCallback(big, { maxBodyBytes: 1 << 20 })));
  const afterString = cm.default.__memoryBytes() - before;
  console.log(`50 MiB string refused at 1 MiB: wasm memory grew ${afterString} bytes`);
  assert.deepEqual([e.code, e.status], ["body_too_large", 413]);
  // One 50 MiB chunk through receiveCallback: refused by its length.
  const request = new Request("http://127.0.0.1/ipn", {
    method: "POST",
    headers: { "api-signature": "s" },
    body: new TextEncoder().encode(big),
  });
  const r = await failure(cm.receiveCallback(request, { signature: "s" }));
  assert.deepEqual([r.code, r.status], ["body_too_large", 413]);
  const grown = cm.default.__memoryBytes() - before;
  console.log(`50 MiB string and 50 MiB chunk refused at 1 MiB: wasm memory grew ${grown} bytes`);
  assert.ok(grown < 4 << 20, `wasm memory grew by ${grown} bytes for bodies refused at 1 MiB`);
});
