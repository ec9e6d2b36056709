// Compiled with `tsc --noEmit` against the installed package: the generated types must accept what the
// API promises and refuse what it does not (each @ts-expect-error must be an error).
import {
  buildRequest,
  CekMutasi,
  CekMutasiError,
  type Endpoint,
  type HttpRequest,
  type JsonValue,
  Ledger,
  type LedgerInvoice,
  type LedgerOutcome,
  Matcher,
  type Mutation,
  matchPayments,
  parseCallback,
  parseResponse,
} from "cekmutasi";

const opts = { apiKey: "k" };
const r: HttpRequest = buildRequest("bank/search", { date: { from: "2018-04-09 00:00:00" }, type: "credit" }, opts);
const method: "GET" | "POST" = r.method;
buildRequest("ovo/transfer/send", { uuid: "u", token: "t", amount: 150000, note: "x" }, opts);
// @ts-expect-error: not an endpoint
buildRequest("bank/nope", {}, opts);
// @ts-expect-error: a type the service does not know
buildRequest("bank/search", { type: "refund" }, opts);
// @ts-expect-error: uuid is required
buildRequest("ovo/transfer/detail", {}, opts);
const rows = parseResponse("bank/search", 200, "{}");
const first: string = rows[0].amount;
const ip: string | undefined = parseResponse("myip", 200, "{}").ip?.v4;
const e: Endpoint = "paypal/transaction/detail";
const report = parseCallback("{}");
const amount: string = report.content.data[0].amount;
const result = matchPayments([{ id: "A", amount: "1.00" }], report);
const paid: string = result.matched[0].invoice_id;
const err = new CekMutasiError("x", { code: "api_error" });
const client = new CekMutasi({ apiKey: "k", timeoutMs: 5000 });
async function calls() {
  const rows = await client.searchBank({ date: { from: "2018-04-09 00:00:00" } });
  const a: string = rows[0].amount;
  const sent = await client.ovoTransferSend({ uuid: "u", token: "t", amount: 150000 });
  const all = await client.searchAll("gopay", {
    date: { from: "2018-04-09 00:00:00", to: "2018-04-10 00:00:00" },
    partner_phone: "0812",
  });
  const ok: boolean = await client.confirmMutation(report.content.data[0], {
    service_code: "bri",
    account_number: "1",
  });
  // @ts-expect-error: amount is required to send money
  await client.ovoToOvoSend({ source_number: "1", phone: "2" });
  return [a, sent, all, ok];
}

// #18: what a newcomer wrote, and the compiler refused.
function newcomer(m: Mutation, rows: EndpointRows) {
  const phone: string | undefined = m.partner_phone; // was TS2339 through `& (ServiceFields | {})`
  const fee: string | undefined = m.fee;
  new Matcher().add({ id: "INV-1", amount: 150003 }); // a number is the amount it is
  matchPayments([{ id: "INV-2", amount: "150003.00" }], rows); // search rows match as they come
  return [phone, fee, client.confirmMutation(rows[0], { service_code: "bri", account_number: "1" })];
}
type EndpointRows = Awaited<ReturnType<CekMutasi["searchBank"]>>;
// Dates: a `Date` where a date string goes (sent in the service's zone).
buildRequest("bank/search", { date: { from: new Date("2018-04-08T17:00:00Z"), to: "2018-04-09 23:59:59" } }, opts);
// @ts-expect-error: a date is a string or a Date
buildRequest("bank/search", { date: { from: 1523232000 } }, opts);
// §5's endpoints: a method each, params typed, payload JSON.
async function undocumented() {
  const balance: JsonValue = await client.balance();
  const detail: JsonValue = await client.bankDetail({ id: 7 });
  const tx = await client.paypalTransactionDetail({ username: "toko", transactionid: "TX1" });
  const viaRequest: JsonValue = await client.request("gopay/list");
  // @ts-expect-error: id is required
  await client.ovoDetail({});
  // @ts-expect-error: the payload is JSON, not anything
  const n: number = await client.paypalBalance();
  return [balance, detail, tx, viaRequest, n];
}

// #14: rows left out, strict, the client's fetch and userAgent.
const kept = parseCallback("{}", { strict: false, maxBodyBytes: 1 << 20 });
const leftOut: { index: number; code: string; path: string; message: string; raw: string } = kept.rejected[0];
parseCallback("{}", { strict: true });
// @ts-expect-error: strict is a boolean
parseCallback("{}", { strict: "yes" });
const ipv4 = new CekMutasi({
  apiKey: "k",
  userAgent: "toko-budi/2.1",
  fetch: (url, init) => fetch(url, init),
});
// @ts-expect-error: fetch is a function
new CekMutasi({ apiKey: "k", fetch: "fetch" });
buildRequest("bank/search", { service_code: "bsi" }, { apiKey: "k", userAgent: "toko-budi/2.1" });

// #13: the Ledger.
async function ledgered(db: unknown) {
  const ledger = await Ledger.open(db, { prefix: "shop_", unique: { hold_seconds: 3600, mode: "subtract" } });
  const inv: LedgerInvoice = await ledger.openInvoice({ id: "INV-1", price: 150000 });
  const outcomes: LedgerOutcome[] = await ledger.apply(report);
  const paidBy: number | undefined = (await ledger.invoice("INV-1"))?.paid_by;
  const kind: "matched" | "ambiguous" | "unmatched" | "debit" = outcomes[0].outcome;
  // @ts-expect-error: a settlement names the mutation by its number
  await ledger.settle("7", "INV-1");
  // @ts-expect-error: hold_seconds is a number
  await Ledger.open(db, { unique: { hold_seconds: "1h" } });
  return [inv, paidBy, kind, await ledger.catchUp(client, "bank", { date: { from: new Date(), to: new Date() } })];
}

export { amount, calls, e, err, first, ip, ipv4, ledgered, leftOut, method, newcomer, paid, undocumented };
