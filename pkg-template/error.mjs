/**
 * Every failure of the SDK. `code` is stable and machine-readable (snake_case); `path` names the field or
 * parameter where it applies; `status` is the HTTP status (for callbacks: the one to answer with).
 * Messages never contain the API key or the signature.
 */
export class CekMutasiError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = "CekMutasiError";
    this.code = details.code;
    if (details.path !== undefined) this.path = details.path;
    if (details.status !== undefined) this.status = details.status;
  }
}
