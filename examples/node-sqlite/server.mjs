// A CekMutasi callback receiver for Node (≥ 22.5: node:sqlite, nothing to install but the SDK), its state
// in a SQLite file through the SDK's Ledger. Any number of these processes may share the file: each mutation
// is decided once, each invoice paid once, each open invoice has its own unique amount.
//
//   POST /callback        the service's payment report (Api-Signature checked before the body is read)
//   POST /invoices        { "id": "INV-1", "price": "150000" } -> the invoice, with its unique amount
//                         ({ "id", "amount": "12345.00" }: exactly that amount, as for settling a credit)
//   GET  /invoices/:id    the invoice (status open, paid or cancelled; paid_by the mutation)
//   GET  /unsettled       credits that paid nothing (ambiguous, unmatched), for a person to settle
//   POST /settle          { "mutation_id": 123, "invoice_id": "INV-1" } -> a person's decision
//
//   CEKMUTASI_SIGNATURE=… LEDGER_DB=payments.db PORT=8000 node server.mjs
import { createServer } from "node:http";
import { DatabaseSync } from "node:sqlite";
import { CekMutasiError, Ledger, parseCallback, verifySignature } from "cekmutasi";

const signature = process.env.CEKMUTASI_SIGNATURE ?? "";
if (!signature) throw new Error("set CEKMUTASI_SIGNATURE (the callback signature of your CekMutasi account)");
// Several processes on one file: each waits up to 5 s for another's write to end.
const ledger = await Ledger.open(new DatabaseSync(process.env.LEDGER_DB ?? "payments.db", { timeout: 5000 }));

async function read(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function route(req) {
  const { pathname } = new URL(req.url, "http://localhost");
  if (req.method === "POST" && pathname === "/callback") {
    const header = req.headers["api-signature"];
    if (!verifySignature(signature, typeof header === "string" ? header : undefined))
      return [401, { code: "invalid_signature" }];
    const report = parseCallback(await read(req));
    for (const r of report.rejected) console.error(`left out: ${r.message}`);
    const outcomes = await ledger.apply(report);
    return [200, { received: outcomes.length, outcomes }];
  }
  if (req.method === "POST" && pathname === "/invoices") {
    const { id, price, amount } = JSON.parse(String(await read(req)));
    return [201, await ledger.openInvoice({ id, price, amount })];
  }
  const id = pathname.match(/^\/invoices\/(.+)$/)?.[1];
  if (req.method === "GET" && id) {
    const invoice = await ledger.invoice(decodeURIComponent(id));
    return invoice ? [200, invoice] : [404, { code: "not_found" }];
  }
  if (req.method === "GET" && pathname === "/unsettled") return [200, await ledger.unsettled()];
  if (req.method === "POST" && pathname === "/settle") {
    const { mutation_id, invoice_id } = JSON.parse(String(await read(req)));
    return [200, await ledger.settle(mutation_id, invoice_id)];
  }
  return [404, { code: "not_found" }];
}

const server = createServer(async (req, res) => {
  let status;
  let body;
  try {
    [status, body] = await route(req);
  } catch (e) {
    // The SDK's errors name the field and carry the status to answer with; anything else is ours: 500.
    [status, body] =
      e instanceof CekMutasiError
        ? [e.status ?? 400, { code: e.code, path: e.path, message: e.message }]
        : [500, { code: "internal" }];
    if (status === 500) console.error(e);
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT ?? 8000), "127.0.0.1", () =>
  console.log(`listening on ${server.address().port}`),
);
