// The package's API over wasm-bindgen's glue, shared by every entry (each entry only loads the module its
// runtime can load: see scripts/package.mjs). Everything here converts; the rules are in Rust.
import { CekMutasiError } from "./error.mjs";

const decoder = new TextDecoder();
// The matcher reads a report's text through this symbol instead of converting its objects back.
const SOURCE = Symbol.for("cekmutasi.source");

/**
 * A validated payment report. Rust has checked every member; the JS objects are made by `JSON.parse`
 * from the report's normal-form text when `content` is first read, and then kept. The matcher takes the
 * text itself (through the SOURCE symbol), so matching a report never converts its objects back.
 */
class PaymentReport {
  #source;
  #count;
  #content;

  /** @internal Made by parseCallback / receiveCallback only. */
  constructor(source, count) {
    this.#source = source;
    this.#count = count;
  }

  get action() {
    return "payment_report";
  }

  get content() {
    if (this.#content === undefined) {
      this.#content = JSON.parse(this.#source).content;
    }
    return this.#content;
  }

  get [SOURCE]() {
    return this.#source;
  }

  get mutationCount() {
    return this.#count ?? this.content.data.length;
  }

  toJSON() {
    return { action: "payment_report", content: this.content };
  }
}

/** The API over an instantiated glue module. */
export function makeApi(glue) {
glue.__setErrorClass(CekMutasiError);

function parseCallback(body, options) {
  const result = glue.__parseCallback(body, options);
  if (typeof result === "string") return new PaymentReport(result);
  // The body is in normal form: it is the source. Bytes are decoded now (they are valid UTF-8), so later
  // writes to the caller's buffer cannot change a validated report.
  return new PaymentReport(typeof body === "string" ? body : decoder.decode(body), result);
}

async function receiveCallback(request, options) {
  return new PaymentReport(await glue.__receiveCallback(request, options));
}

// One method per endpoint, from the endpoint table: each is `request(path, params)`.
for (const [name, path] of glue.__endpointMethods()) {
  Object.defineProperty(glue.CekMutasi.prototype, name, {
    value: function (params) {
      return this.request(path, params);
    },
    writable: true,
    configurable: true,
  });
}

const api = { CekMutasiError, PaymentReport, parseCallback, receiveCallback };
// For the sandbox and benches/ only: not part of the API.
Object.defineProperty(api, "__memoryBytes", { value: glue.__memoryBytes, enumerable: false });
Object.defineProperty(api, "__internal", {
  value: { readIncoming: glue.__readIncoming, signedCallback: glue.__signedCallback },
  enumerable: false,
});
for (const [name, value] of Object.entries(glue)) {
  if (!name.startsWith("__") && name !== "default" && name !== "initSync") api[name] = value;
}
return api;
}
