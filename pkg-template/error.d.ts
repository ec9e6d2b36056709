/** The stable error codes. */
export type CekMutasiErrorCode =
  | "config"
  | "method_not_allowed"
  | "missing_signature"
  | "invalid_signature"
  | "body_too_large"
  | "invalid_json"
  | "invalid_payload"
  | "unsupported_action"
  | "invalid_params"
  | "api_error"
  | "http_error"
  | "invalid_response"
  | "network_error"
  | "timeout"
  | "unique_amount_exhausted"
  /** A bug in the SDK (a trap of the module: a Rust panic or another): the next call runs on a fresh WebAssembly instance. Please report it. */
  | "internal";

/** Every failure of the SDK. */
export declare class CekMutasiError extends Error {
  constructor(message: string, details?: { code: CekMutasiErrorCode; path?: string; status?: number });
  readonly name: "CekMutasiError";
  /** Stable, machine-readable. */
  readonly code: CekMutasiErrorCode;
  /** A JSON path (`content.data[1].amount`) or a parameter (`search.date.from`), where one applies. */
  readonly path?: string;
  /** For callbacks the HTTP status to answer with; for client calls the server's status, if any. */
  readonly status?: number;
}
