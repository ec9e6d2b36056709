// The package as users import it (ESM), installed from the packed tarball.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CekMutasiError, PaymentReport, parseCallback, receiveCallback, verifySignature } from "cekmutasi";
import { fetchServer, SEED } from "./helpers.mjs";

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CekMutasiError, `not a CekMutasiError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "CekMutasiError");
    return { code: e.code, path: e.path, status: e.status, message: e.message };
  }
  assert.fail("did not throw");
}

test("the seeds' sample parses to exact values", () => {
  const report = parseCallback(SEED);
  assert.ok(report instanceof PaymentReport);
  assert.equal(report.action, "payment_report");
  assert.equal(report.mutationCount, 2);
  assert.deepEqual(report.toJSON(), {
    action: "payment_report",
    content: {
      service_name: "Bank BRI",
      service_code: "bri",
      account_number: "1234567890",
      account_name: "Nama Pemilik Rekening",
      data: [
        {
          id: 1,
          unix_timestamp: 123456789,
          type: "credit",
          amount: "1400026.00",
          description: "Berita transfer",
          balance: "1500000.00",
        },
        {
          id: 2,
          unix_timestamp: 987654321,
          type: "debit",
          amount: "50000.00",
          description: "Berita transfer",
          balance: "1450000.00",
        },
      ],
    },
  });
  assert.equal(report.content, report.content);
  assert.equal(JSON.parse(JSON.stringify(report)).content.data[1].amount, "50000.00");
});

test("a Uint8Array body, and amounts given as JSON numbers", () => {
  const body = new TextEncoder().encode(SEED.replace('"amount": "50000.00"', '"amount": 50000.5'));
  assert.equal(parseCallback(body).content.data[1].amount, "50000.50");
  const exact = SEED.replace('"amount": "50000.00"', '"amount": 9007199254740993.01');
  assert.equal(parseCallback(exact).content.data[1].amount, "9007199254740993.01");
});

test("unknown members and nulls are dropped, the caller's buffer is not the report", () => {
  const body = SEED.replace(
    '"action": "payment_report",',
    '"action": "payment_report", "__proto__": {"polluted": 1}, "extra": [1],',
  ).replace('"balance": "1500000.00"', '"balance": null, "bank_ref": "x"');
  const report = parseCallback(body);
  assert.deepEqual(Object.keys(report.toJSON()), ["action", "content"]);
  assert.deepEqual(Object.keys(report.content.data[0]), ["id", "unix_timestamp", "type", "amount", "description"]);
  assert.equal({}.polluted, undefined);

  const bytes = new TextEncoder().encode(SEED);
  const kept = parseCallback(bytes);
  bytes.set(new TextEncoder().encode('"amount": "99999.99"'), SEED.indexOf('"amount": "1400026.00"'));
  assert.equal(kept.content.data[0].amount, "1400026.00");
  assert.equal(kept.mutationCount, 2);
});

test("hostile amounts are invalid_payload at their path: the row left out, or the report refused with strict", () => {
  for (const lit of ['"1.400.026,00"', '"1e3"', "1e3", '"50000.001"', '""', '"-5.00"', "null", '" 1.00"']) {
    const body = SEED.replace('"amount": "50000.00"', `"amount": ${lit}`);
    assert.deepEqual(
      (({ code, path, status }) => ({ code, path, status }))(thrown(() => parseCallback(body, { strict: true }))),
      { code: "invalid_payload", path: "content.data[1].amount", status: 422 },
      lit,
    );
    const report = parseCallback(body);
    assert.deepEqual(
      report.content.data.map((m) => m.id),
      [1],
      lit,
    );
    const [row] = report.rejected;
    assert.deepEqual(
      [row.index, row.code, row.path, report.rejected.length],
      [1, "invalid_payload", "content.data[1].amount", 1],
    );
    assert.equal(row.message.startsWith("content.data[1].amount: "), true);
    assert.equal(JSON.parse(row.raw).amount, JSON.parse(lit));
  }
  // A report without a bad row has none rejected, and its JSON says nothing of them.
  const fine = parseCallback(SEED);
  assert.deepEqual([fine.rejected, Object.keys(fine.toJSON())], [[], ["action", "content"]]);
  assert.deepEqual(thrown(() => parseCallback(SEED, { strict: "yes" })).path, "options.strict");
});

test("every parse error code with its status", () => {
  const cases = [
    ["{", { code: "invalid_json", path: undefined, status: 400 }],
    [new Uint8Array([0x7b, 0xff, 0x7d]), { code: "invalid_json", path: undefined, status: 400 }],
    ['{"action":"refund","content":{}}', { code: "unsupported_action", path: "action", status: 422 }],
    ['{"action":"payment_report"}', { code: "invalid_payload", path: "content", status: 422 }],
    [
      SEED.replace('"service_code": "bri",', ""),
      { code: "invalid_payload", path: "content.service_code", status: 422 },
    ],
    [SEED.replace('"data": [', '"data": 5, "x": ['), { code: "invalid_payload", path: "content.data", status: 422 }],
    ["[".repeat(5000) + "]".repeat(5000), { code: "invalid_payload", path: undefined, status: 422 }],
  ];
  for (const [body, want] of cases) {
    const { code, path, status } = thrown(() => parseCallback(body));
    assert.deepEqual({ code, path, status }, want, String(body).slice(0, 40));
  }
  const big = thrown(() => parseCallback(SEED, { maxBodyBytes: 100 }));
  assert.deepEqual([big.code, big.status], ["body_too_large", 413]);
  assert.equal(thrown(() => parseCallback(42)).code, "config");
  assert.equal(thrown(() => parseCallback(SEED, { maxBodyBytes: -1 })).code, "config");
  assert.equal(thrown(() => parseCallback(SEED, { maxBodyByte: 10 })).code, "config");
});

test("verifySignature", () => {
  assert.equal(verifySignature("s3cret", "s3cret"), true);
  assert.equal(verifySignature("s3cret", "s3creT"), false);
  assert.equal(verifySignature("s3cret", ""), false);
  assert.equal(verifySignature("s3cret", null), false);
  assert.equal(verifySignature("s3cret", undefined), false);
  assert.equal(thrown(() => verifySignature("", "")).code, "config");
});

test("receiveCallback behind a real HTTP server on loopback", async () => {
  const seen = [];
  const server = await fetchServer(async (request) => {
    try {
      const report = await receiveCallback(request, { signature: "s3cret" });
      seen.push(report.content.data.map((m) => m.id));
      return new Response("OK");
    } catch (e) {
      assert.ok(e instanceof CekMutasiError);
      assert.ok(!e.message.includes("s3cret"), e.message);
      return new Response(`${e.code} ${e.path ?? ""}`.trim(), { status: e.status });
    }
  });
  try {
    const post = (headers, body, method = "POST") => fetch(`${server.url}/ipn`, { method, headers, body });
    const answer = async (r) => [r.status, await r.text()];
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, SEED)), [200, "OK"]);
    assert.deepEqual(await answer(await post({ "api-signature": "s3cret" }, SEED)), [200, "OK"]);
    assert.deepEqual(await answer(await post({ "API-SIGNATURE": "s3cret" }, new TextEncoder().encode(SEED))), [
      200,
      "OK",
    ]);
    assert.deepEqual(await answer(await post({}, SEED)), [401, "missing_signature"]);
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cre" }, SEED)), [401, "invalid_signature"]);
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, undefined, "GET")), [
      405,
      "method_not_allowed",
    ]);
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, "x".repeat(2 << 20))), [
      413,
      "body_too_large",
    ]);
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, "{")), [400, "invalid_json"]);
    // A bad row is left out; the good one is processed and the answer is 200.
    const bad = SEED.replace('"amount": "50000.00"', '"amount": "50.000"');
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, bad)), [200, "OK"]);
    const noAccount = SEED.replace('"account_number": "1234567890",', "");
    assert.deepEqual(await answer(await post({ "Api-Signature": "s3cret" }, noAccount)), [
      422,
      "invalid_payload content.account_number",
    ]);
    assert.deepEqual(seen, [[1, 2], [1, 2], [1, 2], [1]]);
  } finally {
    await server.close();
  }
});

test("receiveCallback checks the signature before reading the body, and stops at the limit", async () => {
  let pulled = 0;
  let cancelled = false;
  const endless = () =>
    new ReadableStream({
      pull(controller) {
        pulled += 65536;
        controller.enqueue(new Uint8Array(65536).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
  const request = (signature) =>
    new Request("http://127.0.0.1/ipn", {
      method: "POST",
      headers: { "Api-Signature": signature },
      body: endless(),
      duplex: "half",
    });

  await assert.rejects(receiveCallback(request("wrong"), { signature: "s3cret" }), {
    code: "invalid_signature",
    status: 401,
  });
  assert.equal(pulled <= 65536, true, `read ${pulled} bytes of a body with a wrong signature`);

  pulled = 0;
  await assert.rejects(receiveCallback(request("s3cret"), { signature: "s3cret", maxBodyBytes: 200_000 }), {
    code: "body_too_large",
    status: 413,
  });
  // 200 000 bytes fit in four chunks; the fifth passes the limit. A stream may pull one chunk ahead.
  assert.ok(pulled <= 6 * 65536, `pulled ${pulled} bytes`);
  assert.equal(cancelled, true);

  await assert.rejects(receiveCallback(request("s3cret"), {}), { code: "config" });
  await assert.rejects(receiveCallback(request("s3cret"), { signature: "" }), { code: "config" });
});

test("rows made from where Rust found each value are exactly JSON.parse's, members in the body's order", async () => {
  // Generated reports in normal form (what the service sends: the fast way), each member order shuffled,
  // optional members present or not; some with a byte beyond ASCII or an escape (JSON.parse's way).
  let seed = 7;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const shuffled = (entries) => {
    const out = [...entries];
    for (let i = out.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return Object.fromEntries(out);
  };
  const texts = ["TRSF E-BANKING CR 0042 INV-7", "", "a'b <c> & {d}: [e]", "x".repeat(40)];
  const odd = ["Pembayaran Rp 50.000 — terima kasih", 'kutip "dua"', "tab\there", "\\u0041"];
  const amount = () => `${next(10_000_000)}.${String(next(100)).padStart(2, "0")}`;
  const row = (i, plain) => {
    const entries = [
      ["id", [1, 2 ** 53 - 1, 1_000_000 + i][next(3)]],
      ["unix_timestamp", [-86_400, 0, 1_732_500_000 + i][next(3)]],
      ["type", ["credit", "debit"][next(2)]],
      ["amount", amount()],
      ["description", plain ? texts[next(texts.length)] : odd[next(odd.length)]],
    ];
    for (const name of ["balance", "fee", "net"]) if (next(2)) entries.push([name, amount()]);
    for (const name of ["service_code", "account_number", "username", "email", "status", "currency"])
      if (next(3) === 0) entries.push([name, `${name}-${i}`]);
    return shuffled(entries);
  };
  let fast = 0;
  const later = [];
  for (let n = 0; n < 300; n++) {
    const plain = n % 5 !== 0;
    // Most with a few rows (their rows made at once), some with dozens (their tape copied, rows made later).
    const data = Array.from({ length: n % 10 === 3 ? 30 + next(30) : next(12) }, (_, i) => row(i, plain || i !== 0));
    const content = shuffled([
      ["service_name", "Bank BRI"],
      ["service_code", "bri"],
      ["account_number", "1234567890"],
      ["account_name", plain ? "Toko Maju" : "Toko Maju Jaya ©"],
      ["data", data],
    ]);
    const body = JSON.stringify(
      next(2) ? { action: "payment_report", content } : { content, action: "payment_report" },
    );
    const want = JSON.stringify(JSON.parse(body).content);
    if (/^[\x20-\x7e]*$/.test(body) && !body.includes("\\")) fast += 1;
    for (const given of [body, new TextEncoder().encode(body)]) {
      const report = parseCallback(given);
      assert.equal(report.mutationCount, data.length);
      assert.equal(JSON.stringify(report.content), want, body);
      assert.deepEqual(report.rejected, []);
    }
    // Its rows read only after later reports were parsed: each report copied its tape out of the module
    // when it was made (the module keeps only the last one).
    later.push([parseCallback(body), want, body]);
    const request = new Request("http://127.0.0.1/ipn", {
      method: "POST",
      headers: { "Api-Signature": "s3cret" },
      body,
    });
    const received = await receiveCallback(request, { signature: "s3cret" });
    assert.equal(JSON.stringify(received.content), want, body);
    assert.equal(received.mutationCount, data.length);
  }
  for (const [report, want, body] of later) assert.equal(JSON.stringify(report.content), want, body);
  // Most of them took the fast way, and some the other.
  assert.equal(fast > 150 && fast < 300, true, `${fast} of 300 in ASCII without escapes`);
});
