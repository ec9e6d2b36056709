// The same smoke script for every runtime the package promises (tests/js/runtimes.test.mjs runs it in
// each): it takes the package as that runtime imported it, and the sandbox to call. No imports of its
// own, so each runtime's harness decides how "cekmutasi" is loaded.

export const SEED = `{"action":"payment_report","content":{"service_name":"Bank BRI","service_code":"bri","account_number":"1234567890","account_name":"Nama Pemilik Rekening","data":[{"id":1,"unix_timestamp":123456789,"type":"credit","amount":"1400026.00","description":"Berita transfer INV-7","balance":"1500000.00"},{"id":2,"unix_timestamp":987654321,"type":"debit","amount":50000,"description":"Berita transfer","balance":"1450000.00"}]}}`;

/** Runs every part of the package once; resolves to plain values the harness compares exactly. */
export async function smoke(api, { sandboxUrl, apiKey, redirectUrl }) {
  const out = {};
  out.verify = [
    api.verifySignature("rahasia", "rahasia"),
    api.verifySignature("rahasia", "rahasiA"),
    api.verifySignature("rahasia", null),
  ];

  const report = api.parseCallback(new TextEncoder().encode(SEED));
  out.report = report.content.data.map((m) => `${m.id} ${m.type} ${m.amount}`);
  // A bad row: left out by default (the other row kept), the whole report refused with strict.
  const bad = SEED.replace('"1400026.00"', '"1.400.026,00"');
  const kept = api.parseCallback(bad);
  out.rejected = [kept.content.data.map((m) => m.id), kept.rejected.map((r) => `${r.index} ${r.code} ${r.path}`)];
  try {
    api.parseCallback(bad, { strict: true });
  } catch (e) {
    out.error = [e instanceof api.CekMutasiError, e instanceof Error, e.code, e.path, e.status];
  }

  const request = api.buildRequest(
    "bank/search",
    { date: { from: "2018-04-09 00:00:00", to: "2018-04-09 23:59:59" }, amount: 1400026 },
    { apiKey: "k" },
  );
  out.request = [request.method, request.url, request.body];

  const invoices = [
    { id: "INV-7", amount: api.uniqueAmount("1400000", ["1400001.00"], { min: 26, max: 99 }), created_at: 123450000 },
    { id: "INV-8", amount: "50000.00" },
  ];
  const matcher = new api.Matcher();
  matcher.addAll(invoices);
  const first = matcher.match(report);
  const again = matcher.match(report);
  out.match = [invoices[0].amount, first.matched, first.ignored, again.ignored.map((i) => i.reason), matcher.size];

  const client = new api.CekMutasi({ apiKey, baseUrl: sandboxUrl, timeoutMs: 5000 });
  const rows = await client.searchBank({
    date: { from: "2018-04-09 00:00:00", to: "2018-04-09 00:05:00" },
    type: "credit",
  });
  out.client = [rows.length, rows[0].id, rows[0].amount];
  try {
    await new api.CekMutasi({ apiKey: "wrong", baseUrl: sandboxUrl, retries: 0 }).myIp();
  } catch (e) {
    out.clientError = [e instanceof api.CekMutasiError, e.code, e.message];
  }
  // A base URL that answers 307 to another server: never followed, in this runtime's own fetch (browsers
  // give an opaque redirect, status hidden; the others the 307 itself).
  try {
    await new api.CekMutasi({ apiKey, baseUrl: redirectUrl, retries: 2 }).myIp();
    out.redirect = "followed";
  } catch (e) {
    out.redirect = [e.code, e.status === 307 || e.status === undefined, /never follows redirects/.test(e.message)];
  }
  return out;
}
