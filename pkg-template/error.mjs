// Marks every CekMutasiError, whichever copy of the package made it: a process that both `require`s and
// `import`s the package loads two copies (the CommonJS and the ESM entry), and `instanceof` must hold
// across them.
const BRAND = Symbol.for("cekmutasi.error");

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

  get [BRAND]() {
    return true;
  }

  static [Symbol.hasInstance](value) {
    // Subclasses keep the ordinary prototype check: `this` is the class being tested against.
    // biome-ignore lint/complexity/noThisInStatic: `this` is deliberately the (sub)class, not CekMutasiError
    if (this !== CekMutasiError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return value instanceof Error && value[BRAND] === true;
  }
}
