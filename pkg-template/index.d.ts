// Types of the package entry. Shapes (PaymentReportContent, Mutation, options, …) are generated from the
// Rust types by tsify, in ./node/cekmutasi.d.ts; only the entry's own wrappers are declared here.
import type { PaymentReportContent, ParseCallbackOptions, ReceiveCallbackOptions } from "./node/cekmutasi";

export * from "./node/cekmutasi";
export { CekMutasiError, CekMutasiErrorCode } from "./error";

/** A validated payment report; `content` is made on first read, then kept. */
export declare class PaymentReport {
  private constructor();
  /** Always `"payment_report"`. */
  readonly action: "payment_report";
  /** The watched account and its new mutations; amounts as two-decimal strings. */
  readonly content: PaymentReportContent;
  /** The number of mutations. */
  readonly mutationCount: number;
  /** The plain object (what `JSON.stringify` writes). */
  toJSON(): { action: "payment_report"; content: PaymentReportContent };
}

/**
 * Parses and validates a payment report from the raw callback body.
 * Throws `CekMutasiError`: `body_too_large` (413), `invalid_json` (400), `unsupported_action` (422) or
 * `invalid_payload` (422, with `path`, e.g. `content.data[1].amount`).
 */
export declare function parseCallback(body: string | Uint8Array, options?: ParseCallbackOptions): PaymentReport;

/**
 * For edge functions and any Fetch-API server: checks the method and the `Api-Signature` header before
 * reading the body, reads at most `maxBodyBytes` (1 MiB by default), parses and validates. Every
 * `CekMutasiError` it throws carries the HTTP `status` to answer with.
 *
 * @example
 * export default { async fetch(request, env) {
 *   try {
 *     const report = await receiveCallback(request, { signature: env.CEKMUTASI_SIGNATURE });
 *     for (const m of report.content.data) console.log(m.id, m.type, m.amount);
 *     return new Response("OK");
 *   } catch (e) {
 *     return new Response(e.code, { status: e.status ?? 500 });
 *   }
 * } };
 */
export declare function receiveCallback(request: Request, options: ReceiveCallbackOptions): Promise<PaymentReport>;
