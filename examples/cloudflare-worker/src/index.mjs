// A Cloudflare Worker that receives CekMutasi callbacks and marks invoices paid, its state in D1 through the
// SDK's Ledger: any number of Worker instances decide each mutation once, pay each invoice once, and give
// each open invoice its own unique amount, even when they open invoices at the same moment.
//
//   POST /callback      the service's payment report (Api-Signature checked before the body is read)
//   POST /invoices      { "id": "INV-1", "price": "150000", "ttl": 86400 } -> the invoice, with its amount
//   GET  /invoices/:id  the invoice (status open, paid or cancelled; paid_by the mutation)
//   GET  /unsettled     credits that paid nothing (ambiguous, unmatched), for a person to settle
import { CekMutasiError, Ledger, receiveCallback } from "cekmutasi";

// One Ledger per isolate: opening it creates the tables when absent (no migration step to run).
let opened;
const ledgerOf = (env) => {
  opened ??= Ledger.open(env.DB).catch((e) => {
    opened = undefined;
    throw e;
  });
  return opened;
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      const ledger = await ledgerOf(env);
      if (url.pathname === "/callback") {
        const report = await receiveCallback(request, { signature: env.CEKMUTASI_SIGNATURE });
        // Rows that failed validation are left out of the report (and kept for a person in the logs).
        for (const r of report.rejected) console.error(`left out: ${r.message}`);
        const outcomes = await ledger.apply(report);
        return Response.json({ received: outcomes.length, outcomes });
      }
      if (url.pathname === "/invoices" && request.method === "POST") {
        const { id, price, reference, ttl = 86_400 } = await request.json();
        const expires_at = Math.floor(Date.now() / 1000) + ttl;
        return Response.json(await ledger.openInvoice({ id, price, reference, expires_at }), { status: 201 });
      }
      if (url.pathname === "/unsettled") return Response.json(await ledger.unsettled());
      const id = url.pathname.match(/^\/invoices\/(.+)$/)?.[1];
      if (id && request.method === "GET") {
        const invoice = await ledger.invoice(decodeURIComponent(id));
        return invoice ? Response.json(invoice) : new Response("not found", { status: 404 });
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      // Callback errors carry the status to answer with (401 bad signature, 413, 422 …) and never the secret.
      if (e instanceof CekMutasiError)
        return Response.json({ code: e.code, path: e.path, message: e.message }, { status: e.status ?? 400 });
      throw e;
    }
  },
};
