// Types of the package entry. Shapes (PaymentReportContent, Mutation, options, …) are generated from the
// Rust types by tsify, in ./wasm/cekmutasi.d.ts; only the entry's own wrappers are declared here.

import type { CekMutasiMethods, Endpoint, EndpointParams, EndpointResult } from "./endpoints";
import type {
  HttpRequest,
  MutationInput,
  ParseCallbackOptions,
  PaymentReportContent,
  PaymentReportLike,
  ReceiveCallbackOptions,
  RejectedRow,
} from "./wasm/cekmutasi";

export type { CekMutasiMethods, Endpoint, EndpointParams, EndpointResult, JsonValue } from "./endpoints";
export { CekMutasiError, CekMutasiErrorCode } from "./error";
export * from "./wasm/cekmutasi";

/** How to reach the service: the API key, and the base URL (default https://api.cekmutasi.co.id/v1). */
export interface BuildOptions {
  apiKey: string;
  baseUrl?: string;
  /**
   * Your application's product token(s), appended to the SDK's own `User-Agent` (`cekmutasi-js/VERSION`):
   * `"toko-budi/2.1"`. Printable ASCII, at most 256 characters.
   */
  userAgent?: string;
}

/** What the client's `fetch` is given: the global `fetch`'s arguments, always these members. */
export interface FetchInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: "manual";
}

/** What the client reads of a `fetch` answer: a Fetch `Response`, or anything with these members. */
export interface FetchAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: {
    getReader(): {
      read(): Promise<{ done: boolean; value?: Uint8Array }>;
      cancel(reason?: unknown): Promise<void>;
    };
  } | null;
}

/**
 * The HTTP request for an endpoint, pure (no I/O): validated parameters (`invalid_params` with `path`, e.g.
 * `search.date.from`), the form body (or query string for GET) byte-identical to PHP's `http_build_query`,
 * and the `Api-Key`, `Accept` (and form `Content-Type`) headers. For the four searches `params` are the
 * filters, sent nested under `search`.
 */
export declare function buildRequest<E extends Endpoint>(
  endpoint: E,
  params: EndpointParams[E],
  options: BuildOptions,
): HttpRequest;

/**
 * The endpoint's payload (the envelope's `response` or `data`) from the service's answer, checked and in
 * normal form (money as two-decimal strings). Throws `api_error` (the service's `error_message`),
 * `http_error` (non-2xx without the envelope) or `invalid_response` (with `path`).
 */
export declare function parseResponse<E extends Endpoint>(endpoint: E, status: number, body: string): EndpointResult[E];

/** A validated payment report; `content` is made on first read, then kept. */
export declare class PaymentReport {
  private constructor();
  /** Always `"payment_report"`. */
  readonly action: "payment_report";
  /** The watched account and its new mutations; amounts as two-decimal strings. */
  readonly content: PaymentReportContent;
  /** The number of mutations (the valid ones, in `content.data`). */
  readonly mutationCount: number;
  /**
   * The rows left out of `content.data` because they failed validation, each with its `index` in the
   * report as sent, `code`, `path`, `message` and `raw` JSON text: log or store them for a person, and
   * answer 200 (the good rows are processed). Always empty with `{ strict: true }`, which refuses the
   * whole report instead.
   */
  readonly rejected: RejectedRow[];
  /** The plain object (what `JSON.stringify` writes); `rejected` only when a row was left out. */
  toJSON(): { action: "payment_report"; content: PaymentReportContent; rejected?: RejectedRow[] };
}

/**
 * Parses and validates a payment report from the raw callback body. The envelope is strict; each row is
 * taken on its own: one that fails validation is left out and listed in `report.rejected` (with
 * `{ strict: true }`, it refuses the whole report instead).
 * Throws `CekMutasiError`: `body_too_large` (413), `invalid_json` (400), `unsupported_action` (422) or
 * `invalid_payload` (422, with `path`, e.g. `content.service_code`, or a row's with `strict`).
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

/** Options of the client. */
export interface ClientOptions extends BuildOptions {
  /**
   * No complete answer within this many milliseconds is a `timeout` (default 180000, the total the service's
   * own PHP library allows: a 1000-row search on a slow link must finish). Per attempt.
   */
  timeoutMs?: number;
  /**
   * The function every request goes through (default: the global `fetch`), called as `fetch(url, init)`:
   * to route through a proxy, force IPv4 (the service whitelists a server's IPv4 address; see the README's
   * Node recipe with undici), or answer from recordings in your tests.
   */
  fetch?: (url: string, init: FetchInit) => Promise<FetchAnswer>;
  /** Extra attempts of a read-only call after a network error, a timeout, 429 or 5xx (default 2). */
  retries?: number;
  /**
   * The largest answer read, in bytes (default 8 MiB, about 25 times a full 1000-row search). A larger one
   * is refused as it streams in, past the limit, with `invalid_response` at `options.maxResponseBytes`.
   */
  maxResponseBytes?: number;
  /**
   * The most requests one call sends, retries and `searchAll`'s parts included (default 1000). Past it the
   * call fails with `invalid_response` at `options.maxRequests`.
   */
  maxRequests?: number;
}

/**
 * The fetch-based client, for Node, Deno, Workers and browsers. Only read-only calls are retried (with
 * exponential backoff and jitter, honouring `Retry-After`); calls that move money or change state are sent
 * at most once, whatever happens. A redirect is never followed (it is an `http_error` with its status, never
 * retried): the API key and every request go to the base URL only. Failures are `CekMutasiError`s:
 * `timeout`, `network_error`, `http_error`, `api_error` (the service's message), `invalid_response`,
 * `invalid_params`, `config`.
 */
export declare class CekMutasi {
  constructor(options: ClientOptions);
  /** Calls any endpoint (SPEC.md §4 and §5) and resolves to its payload. */
  request<E extends Endpoint>(endpoint: E, params?: EndpointParams[E]): Promise<EndpointResult[E]>;
  /** Every row of a search over a date range (both ends needed), past the service's 1000-row cap: each row once, in time order. */
  searchAll<S extends "bank" | "paypal" | "ovo" | "gopay">(
    service: S,
    filters: EndpointParams[`${S}/search`],
  ): Promise<EndpointResult[`${S}/search`]>;
  /** Re-checks a callback's mutation with a search: `true` only when the same id, type and amount come back. */
  confirmMutation(mutation: MutationInput, account: { service_code: string; account_number: string }): Promise<boolean>;
  free(): void;
}
export interface CekMutasi extends CekMutasiMethods {}

/** The ledger's options: the matching rules, the tables' prefix, and how unique amounts are made. */
export interface LedgerOptions {
  /** Seconds after `expires_at` during which a payment still counts (default 0). */
  grace_seconds?: number;
  /** Pay only when the description contains the invoice's `reference`. */
  require_reference?: boolean;
  /** What to do when several invoices fit one credit (default: report them). */
  on_ambiguous?: "report" | "oldest";
  /** Table names start with this (default `cekmutasi_`): lowercase letters, digits and `_`. */
  prefix?: string;
  /**
   * Unique amounts: codes `[min, max]` (default 1 to 999 rupiah) added to (or subtracted from) a price, and
   * `hold_seconds` (default 86 400): how long an amount stays taken after its invoice can no longer be paid.
   */
  unique?: { min?: number; max?: number; mode?: "add" | "subtract"; hold_seconds?: number };
}

/** An invoice as the ledger keeps it. */
export interface LedgerInvoice {
  id: string;
  amount: string;
  price?: string;
  status: "open" | "paid" | "cancelled";
  created_at: number;
  expires_at?: number;
  reference?: string;
  service_code?: string;
  account_number?: string;
  paid_by?: number;
  paid_at?: number;
}

/** A mutation's decision: new, or recorded before (`replayed`). */
export interface LedgerOutcome {
  mutation_id: number;
  outcome: "matched" | "ambiguous" | "unmatched" | "debit";
  amount: string;
  invoice_id?: string;
  invoice_ids?: string[];
  replayed: boolean;
  settled?: boolean;
  decided_at: number;
}

/** A new invoice: `price` (an amount made unique) or `amount` (exactly). */
export interface NewLedgerInvoice {
  id: string;
  price?: string | number;
  amount?: string | number;
  created_at?: number;
  expires_at?: number;
  reference?: string;
  service_code?: string;
  account_number?: string;
}

/**
 * The matcher's decisions kept in your own database: each invoice paid once and each mutation decided once,
 * across restarts, instances, crashes and callbacks that arrive twice or never. `db` is your handle:
 * `node:sqlite` `DatabaseSync`, `better-sqlite3` `Database`, `bun:sqlite` `Database`, a D1 binding, a `pg`
 * `Pool` or `Client`, a postgres.js `sql`. A database error is thrown as it is; nothing is half-written.
 */
export declare class Ledger {
  private constructor();
  static open(db: unknown, options?: LedgerOptions): Promise<Ledger>;
  openInvoice(invoice: NewLedgerInvoice): Promise<LedgerInvoice>;
  apply(mutations: MutationInput[] | PaymentReportLike): Promise<LedgerOutcome[]>;
  invoice(id: string): Promise<LedgerInvoice | null>;
  cancelInvoice(id: string): Promise<boolean>;
  unsettled(): Promise<LedgerOutcome[]>;
  settle(mutationId: number, invoiceId: string): Promise<LedgerOutcome>;
  catchUp<S extends "bank" | "paypal" | "ovo" | "gopay">(
    client: CekMutasi,
    service: S,
    filters: EndpointParams[`${S}/search`],
  ): Promise<LedgerOutcome[]>;
}
