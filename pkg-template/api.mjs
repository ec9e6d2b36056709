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

/**
 * The glue with every call guarded. A trap (a Rust panic: a bug) leaves the instance unusable, and the
 * panic hook (src/wasm.rs) has asked the glue for a fresh instance on the next call. Here a trap reaches
 * the caller as a CekMutasiError with code `internal`, the fresh instance gets the error class again, and
 * an object of the ended instance (a Matcher, a client) says so instead of wasm-bindgen's bare Error.
 */
function guarded(raw) {
  let reset = false;
  const convert = (e) => {
    if (e instanceof WebAssembly.RuntimeError) {
      reset = true;
      return new CekMutasiError(
        `internal error in cekmutasi (${e.message}), please report it; the next call runs on a fresh instance, where a Matcher or client made before this error must be made again`,
        { code: "internal" },
      );
    }
    if (e instanceof Error && e.message === "Invalid stale object from previous Wasm instance") {
      return new CekMutasiError(
        "this object belonged to an instance that an internal error ended: make it again (a Matcher: new Matcher({ seen }) and add the open invoices again)",
        { code: "internal" },
      );
    }
    return e;
  };
  const wrap = (fn) =>
    function (...args) {
      if (reset) {
        reset = false;
        raw.__setErrorClass(CekMutasiError);
      }
      let result;
      try {
        result = fn.apply(this, args);
      } catch (e) {
        throw convert(e);
      }
      return result instanceof Promise ? result.catch((e) => Promise.reject(convert(e))) : result;
    };
  const glue = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "function" || name === "initSync" || name === "default") continue;
    if (!/^[A-Z]/.test(name)) {
      glue[name] = wrap(value);
      continue;
    }
    for (const key of Object.getOwnPropertyNames(value.prototype)) {
      const d = Object.getOwnPropertyDescriptor(value.prototype, key);
      if (key === "constructor") continue;
      if (typeof d.value === "function") d.value = wrap(d.value);
      if (d.get) d.get = wrap(d.get);
      Object.defineProperty(value.prototype, key, d);
    }
    glue[name] = new Proxy(value, {
      construct(target, args, newTarget) {
        try {
          return Reflect.construct(target, args, newTarget);
        } catch (e) {
          throw convert(e);
        }
      },
    });
  }
  return glue;
}

/** The API over an instantiated glue module. */
export function makeApi(raw) {
raw.__setErrorClass(CekMutasiError);
const glue = guarded(raw);

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
  value: { readIncoming: glue.__readIncoming, signedCallback: glue.__signedCallback, panicForTests: glue.__panicForTests },
  enumerable: false,
});
for (const [name, value] of Object.entries(glue)) {
  if (!name.startsWith("__") && name !== "default" && name !== "initSync") api[name] = value;
}
return api;
}
