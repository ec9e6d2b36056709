// Compiled with `tsc --noEmit` against the installed package: the generated types must accept what the
// API promises and refuse what it does not (each @ts-expect-error must be an error).
import { buildRequest, parseResponse, parseCallback, matchPayments, CekMutasiError, type Endpoint, type HttpRequest } from "cekmutasi";

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
export { method, first, ip, e, amount, paid, err };
