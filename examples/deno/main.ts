// A CekMutasi callback receiver for Supabase Edge Functions and Deno (`supabase functions new cekmutasi`,
// then this file as index.ts), its state in Postgres through the SDK's Ledger: any number of instances
// decide each mutation once, pay each invoice once, and give each open invoice its own unique amount.
//
//   POST …/invoices    { "id": "INV-1", "price": "150000" } -> the invoice, with its unique amount
//   GET  …/unsettled   credits that paid nothing (ambiguous, unmatched), for a person to settle
//   POST …             the service's payment report (Api-Signature checked before the body is read)
//
//   DATABASE_URL=postgres://… CEKMUTASI_SIGNATURE=… deno run --allow-net --allow-env main.ts
import { CekMutasiError, Ledger, receiveCallback } from "npm:cekmutasi";
import postgres from "npm:postgres";

const signature = Deno.env.get("CEKMUTASI_SIGNATURE") ?? "";
// Supabase gives Edge Functions SUPABASE_DB_URL. Through its transaction pooler (port 6543) postgres.js
// must not prepare statements: add { prepare: false } there.
const sql = postgres(Deno.env.get("SUPABASE_DB_URL") ?? Deno.env.get("DATABASE_URL") ?? "", { max: 2 });
// One Ledger per instance: opening it creates the tables when absent (no migration step to run).
const ledger = Ledger.open(sql);

export async function handler(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  try {
    const l = await ledger;
    if (request.method === "POST" && path.endsWith("/invoices")) {
      const { id, price } = await request.json();
      return Response.json(await l.openInvoice({ id, price }), { status: 201 });
    }
    if (request.method === "GET" && path.endsWith("/unsettled")) return Response.json(await l.unsettled());
    if (request.method !== "POST") return new Response("not found", { status: 404 });
    const report = await receiveCallback(request, { signature });
    // Rows that failed validation are left out of the report (and kept for a person in the logs).
    for (const r of report.rejected) console.error(`left out: ${r.message}`);
    const outcomes = await l.apply(report);
    return Response.json({ received: outcomes.length, outcomes });
  } catch (e) {
    // Callback errors carry the status to answer with (401 bad signature, 413, 422 …) and never the secret.
    if (e instanceof CekMutasiError) return Response.json({ code: e.code, path: e.path }, { status: e.status ?? 400 });
    throw e;
  }
}

if (import.meta.main) {
  const port = Number(Deno.env.get("PORT") ?? 8000);
  Deno.serve({ port, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening on ${port}`) }, handler);
}
