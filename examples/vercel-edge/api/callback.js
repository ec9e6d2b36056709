// A Vercel Edge Function that receives CekMutasi callbacks. Edge instances keep no state, so the open
// invoices come from your backend (INVOICES_URL) and each payment goes back to it; the backend records
// a payment only once per mutation id (a unique key), which makes repeated callbacks harmless.
import { CekMutasiError, matchPayments, receiveCallback } from "cekmutasi";

export const config = { runtime: "edge" };

export default async function handler(request) {
  try {
    // Method and signature are checked before the body is read; the body is read up to 1 MiB.
    const report = await receiveCallback(request, { signature: process.env.CEKMUTASI_SIGNATURE });
    const backend = process.env.INVOICES_URL;
    const invoices = await (await fetch(`${backend}/open-invoices`)).json();
    const result = matchPayments(invoices, report);
    for (const payment of result.matched) {
      const res = await fetch(`${backend}/payments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payment),
      });
      // Not recorded: answer 5xx, so that the service delivers the callback again.
      if (!res.ok) return new Response("backend unavailable", { status: 503 });
    }
    return Response.json({ matched: result.matched.length, ambiguous: result.ambiguous, unmatched: result.unmatched });
  } catch (e) {
    if (e instanceof CekMutasiError) return Response.json({ code: e.code, path: e.path }, { status: e.status ?? 400 });
    throw e;
  }
}
