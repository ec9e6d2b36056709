// A local sandbox of the CekMutasi API (Node only): see README.md.
import type { Mutation } from "./index";

export interface SandboxOptions {
  /** 0 for any free port; default 8787. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default "sandbox-api-key". */
  apiKey?: string;
  /** The callback signature; default "sandbox-signature". */
  signature?: string;
  /** Seeded bank mutations; default 3000. */
  rows?: number;
  /** The clock, in Unix seconds (for tests). */
  now?: () => number;
}

export interface Sandbox {
  /** The API's base URL, e.g. http://127.0.0.1:8787/v1 — pass it as `baseUrl`. */
  url: string;
  /** Control endpoints: POST {controlUrl}/faults, /trigger, /mutations. */
  controlUrl: string;
  apiKey: string;
  signature: string;
  /** The sandbox's state in memory (accounts, rows, transfers). */
  state: unknown;
  close(): Promise<void>;
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
export declare function seedState(options?: { rows?: number; start?: number }): unknown;
/**
 * Posts a signed payment report with `rows` to `url` (http or https only), as the service does. A redirect
 * is the answer, never followed; a receiver silent for `timeoutMs` (default 10000) rejects the promise.
 */
export declare function postCallback(
  url: string,
  report: {
    signature: string;
    service_code?: string;
    account_number?: string;
    account_name?: string;
    rows: Partial<Mutation>[];
    timeoutMs?: number;
  },
): Promise<{ status: number; body: string }>;
/** The one mutation of a triggered callback: `amount` (default 50000) as a two-decimal string, `type` credit. */
export declare function triggerRow(input: {
  id: number;
  unix_timestamp: number;
  type?: string;
  amount?: number | string;
  description?: string;
}): Partial<Mutation>;
/** The most faults one call to `/__sandbox/faults` may queue (1000). */
export declare const MAX_FAULTS: number;
/** How long postCallback waits for a receiver by default (10000 ms). */
export declare const CALLBACK_TIMEOUT_MS: number;
