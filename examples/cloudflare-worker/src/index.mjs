// A Cloudflare Worker that receives CekMutasi callbacks and marks invoices paid, with state in D1 so that any
// number of Worker instances process each mutation once and pay each invoice once.
//
//   POST /callback   the service's payment report (Api-Signature checked before the body is read)
//   POST /invoices   { "id": "INV-1", "price": "150000" } -> an open invoice with a unique-code amount
//   GET  /invoices/:id
import { CekMutasiError, matchPayments, receiveCallback, uniqueAmount } from "cekmutasi";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/callback") return Response.json(await callback(request, env));
      if (url.pathname === "/invoices" && request.method === "POST")
        return Response.json(await createInvoice(await request.json(), env), { status: 201 });
      const id = url.pathname.match(/^\/invoices\/(.+)$/)?.[1];
      if (id && request.method === "GET") {
        const invoice = await env.DB.prepare("SELECT * FROM invoices WHERE id = ?")
          .bind(decodeURIComponent(id))
          .first();
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

async function createInvoice({ id, price, reference = null, ttl = 86_400 }, env) {
  const { results } = await env.DB.prepare("SELECT amount FROM invoices WHERE status = 'open'").all();
  const amount = uniqueAmount(
    String(price),
    results.map((r) => r.amount),
  );
  const now = Math.floor(Date.now() / 1000);
  await env.DB.prepare("INSERT INTO invoices (id, amount, created_at, expires_at, reference) VALUES (?, ?, ?, ?, ?)")
    .bind(id, amount, now, now + ttl, reference)
    .run();
  return { id, amount };
}

async function callback(request, env) {
  const report = await receiveCallback(request, { signature: env.CEKMUTASI_SIGNATURE });
  const outcomes = [];
  for (const mutation of report.content.data) outcomes.push(await processMutation(mutation, report, env));
  return { received: outcomes.length, outcomes };
}

/** One mutation, once: the matcher's rules decide, D1 makes it stick exactly once. */
async function processMutation(mutation, report, env) {
  const done = await env.DB.prepare("SELECT outcome, invoice_id FROM mutations WHERE id = ?").bind(mutation.id).first();
  if (done) return { mutation_id: mutation.id, outcome: "seen", earlier: done.outcome, invoice_id: done.invoice_id };

  // Candidates: the open invoices of exactly this amount (amounts are stored as the SDK's two-decimal
  // strings, so equal strings are equal amounts). matchPayments applies the time window, references and
  // the ambiguity rule; a whole-report call would do the same for every row at once.
  const { results } = await env.DB.prepare(
    "SELECT id, amount, created_at, expires_at, reference FROM invoices WHERE status = 'open' AND amount = ?",
  )
    .bind(mutation.amount)
    .all();
  const invoices = results.map(({ expires_at, reference, ...i }) => ({
    ...i,
    ...(expires_at === null ? {} : { expires_at }),
    ...(reference === null ? {} : { reference }),
  }));
  const single = { action: "payment_report", content: { ...report.content, data: [mutation] } };
  const result = matchPayments(invoices, single);
  const now = Math.floor(Date.now() / 1000);
  const record = (outcome, invoiceId = null) =>
    env.DB.prepare("INSERT INTO mutations (id, outcome, invoice_id, amount, received_at) VALUES (?, ?, ?, ?, ?)").bind(
      mutation.id,
      outcome,
      invoiceId,
      mutation.amount,
      now,
    );

  let outcome,
    invoiceId = null,
    statements;
  if (result.matched.length) {
    invoiceId = result.matched[0].invoice_id;
    outcome = "matched";
    // One transaction: the invoice is paid only if still open, and the mutation id is recorded. Another
    // instance that processed this id first makes the INSERT fail and the whole batch roll back; one that
    // paid this invoice with another mutation leaves the UPDATE without effect, which the row records.
    statements = [
      env.DB.prepare("UPDATE invoices SET status = 'paid', paid_by = ?1 WHERE id = ?2 AND status = 'open'").bind(
        mutation.id,
        invoiceId,
      ),
      env.DB.prepare(
        "INSERT INTO mutations (id, outcome, invoice_id, amount, received_at) VALUES (?1, CASE WHEN (SELECT paid_by FROM invoices WHERE id = ?2) = ?1 THEN 'matched' ELSE 'lost_race' END, ?2, ?3, ?4)",
      ).bind(mutation.id, invoiceId, mutation.amount, now),
    ];
  } else {
    outcome = result.ambiguous.length ? "ambiguous" : result.ignored.length ? result.ignored[0].reason : "unmatched";
    if (result.ambiguous.length) invoiceId = result.ambiguous[0].invoice_ids.join(",");
    statements = [record(outcome, invoiceId)];
  }
  try {
    await env.DB.batch(statements);
  } catch (e) {
    if (/UNIQUE|PRIMARY KEY/i.test(String(e?.message))) return { mutation_id: mutation.id, outcome: "seen" };
    throw e;
  }
  if (outcome === "matched") {
    const row = await env.DB.prepare("SELECT outcome FROM mutations WHERE id = ?").bind(mutation.id).first();
    outcome = row.outcome;
  }
  return { mutation_id: mutation.id, outcome, invoice_id: invoiceId };
}
