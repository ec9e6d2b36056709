// A CekMutasi callback receiver for Deno and Supabase Edge Functions (`supabase functions new cekmutasi`,
// then this file as index.ts). It keeps a Matcher per instance for the open invoices it has loaded and the
// mutation ids it has processed; your database stays the authority (record each payment under a unique
// mutation id, so a payment that two instances both see is still recorded once).
//
//   deno run --allow-net --allow-env main.ts
import { CekMutasiError, type Invoice, Matcher, receiveCallback } from "npm:cekmutasi";

const signature = Deno.env.get("CEKMUTASI_SIGNATURE") ?? "";
const backend = Deno.env.get("INVOICES_URL") ?? "";
const matcher = new Matcher();

/** Loads the open invoices this instance does not hold yet. */
async function refresh(): Promise<void> {
  const invoices: Invoice[] = await (await fetch(`${backend}/open-invoices`)).json();
  for (const invoice of invoices) {
    try {
      matcher.add(invoice);
    } catch (e) {
      // Already resident: nothing to do. Anything else is a bad record from the backend.
      if (!(e instanceof CekMutasiError && e.path === "invoice.id")) throw e;
    }
  }
}

export async function handler(request: Request): Promise<Response> {
  try {
    const report = await receiveCallback(request, { signature });
    await refresh();
    const result = matcher.match(report);
    for (const payment of result.matched) {
      await fetch(`${backend}/payments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payment),
      });
    }
    return Response.json({ matched: result.matched.length, ignored: result.ignored, ambiguous: result.ambiguous });
  } catch (e) {
    if (e instanceof CekMutasiError) return Response.json({ code: e.code, path: e.path }, { status: e.status ?? 400 });
    throw e;
  }
}

if (import.meta.main) {
  const port = Number(Deno.env.get("PORT") ?? 8000);
  Deno.serve({ port, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening on ${port}`) }, handler);
}
