// The package's API over wasm-bindgen's glue, shared by every entry (each entry only loads the module its
// runtime can load: see scripts/package.mjs). Everything here converts; the rules are in Rust.
import { CekMutasiError } from "./error.mjs";
import { makeLedger } from "./ledger.mjs";

/** `[method, path]` of each endpoint, its client method (written by scripts/package.mjs). */
const ENDPOINT_METHODS = /* from endpoints.json */ [];

const decoder = new TextDecoder();
/** The largest body passed as bytes copied at once (see parseCallback). */
const SMALL_BODY = 65536;
/** `__parseCallback`'s answer when it is an error to throw (src/wasm/mod.rs, ANSWER_ERROR). */
const ANSWER_ERROR = -2;
// The matcher reads a report's text through this symbol instead of converting its objects back.
const SOURCE = Symbol.for("cekmutasi.source");

/** The members a tape's indexes stand for (Rust's `callback::content_names` and `row_names`, which
 * scripts/package.mjs checks these against when it builds the package, not at every start-up: asking the
 * module costs ~0.6 ms there): each is stored by a store of its own below, as an object literal's members
 * are, which V8 makes several times faster than stores by a computed name. */
export const TAPE_CONTENT = ["service_name", "service_code", "account_number", "account_name", "data"];
export const TAPE_ROW = [
  "id",
  "unix_timestamp",
  "type",
  "amount",
  "description",
  "balance",
  "service_code",
  "account_number",
  "partner_phone",
  "username",
  "email",
  "name",
  "transactionid",
  "status",
  "fee",
  "net",
  "currency",
];

/**
 * The content, made from slices of `source` where Rust's tape says its values are (`callback::Tape`, its
 * events in `tape[from..to]`: `[tag, start, end]` in the order of the text, so members keep their order; an
 * integer comes as its value, `[tag, low, high]`, which is ~5x faster than `Number` of its slice).
 * No function is made in the loop: the package's bundler names every function it makes (keepNames).
 */
function contentOf(source, tape, from, to) {
  const content = {};
  let rows;
  let row;
  for (let k = from; k < to; k += 3) {
    const tag = tape[k];
    const kind = tag >> 8;
    if (kind === 3) {
      row = {};
      rows.push(row);
      continue;
    }
    if (kind === 2) {
      rows = [];
      content.data = rows;
      continue;
    }
    if (kind === 5) {
      // The high half in two's complement (`| 0`); within 2^53, so exact.
      const value = (tape[k + 2] | 0) * 4294967296 + tape[k + 1];
      if ((tag & 0xff) === 0) row.id = value;
      else row.unix_timestamp = value;
      continue;
    }
    const text = source.slice(tape[k + 1], tape[k + 2]);
    if (kind === 1) {
      switch (tag & 0xff) {
        case 0:
          content.service_name = text;
          break;
        case 1:
          content.service_code = text;
          break;
        case 2:
          content.account_number = text;
          break;
        default:
          content.account_name = text;
      }
      continue;
    }
    switch (tag & 0xff) {
      case 2:
        row.type = text;
        break;
      case 3:
        row.amount = text;
        break;
      case 4:
        row.description = text;
        break;
      case 5:
        row.balance = text;
        break;
      case 6:
        row.service_code = text;
        break;
      case 7:
        row.account_number = text;
        break;
      case 8:
        row.partner_phone = text;
        break;
      case 9:
        row.username = text;
        break;
      case 10:
        row.email = text;
        break;
      case 11:
        row.name = text;
        break;
      case 12:
        row.transactionid = text;
        break;
      case 13:
        row.status = text;
        break;
      case 14:
        row.fee = text;
        break;
      case 15:
        row.net = text;
        break;
      default:
        row.currency = text;
    }
  }
  return content;
}

/**
 * A validated payment report. Rust has checked every member; the JS objects are made from slices of the
 * body where Rust found its values (the body the service sends: normal form, ASCII, no escapes), at once
 * for a report of up to about 20 rows, else when `content` is first read; any other body's by
 * `JSON.parse` of its normal-form text when `content` is first read. The matcher takes the text itself
 * (through the SOURCE symbol), so matching a report never converts its objects back.
 */
class PaymentReport {
  #source;
  #count;
  #tape;
  #content;
  #rejected;

  /** @internal Made by parseCallback / receiveCallback only: with the count of rows when the source is in
   * normal form, and its content already made or its tape (`[count, ...events]`) to make it from. */
  constructor(source, count, tape, content) {
    this.#source = source;
    this.#count = count;
    this.#tape = tape;
    if (content !== undefined) {
      this.#content = content;
      this.#rejected = [];
    }
  }

  get action() {
    return "payment_report";
  }

  get content() {
    if (this.#content === undefined) this.#read();
    return this.#content;
  }

  /** The rows left out of `content.data` (empty unless some failed validation). */
  get rejected() {
    if (this.#rejected === undefined) this.#read();
    return this.#rejected;
  }

  #read() {
    if (this.#tape !== undefined) {
      this.#content = contentOf(this.#source, this.#tape, 1, this.#tape.length);
      this.#rejected = [];
      this.#tape = undefined;
      return;
    }
    const { content, rejected } = JSON.parse(this.#source);
    this.#content = content;
    this.#rejected = rejected ?? [];
  }

  get [SOURCE]() {
    return this.#source;
  }

  get mutationCount() {
    return this.#count ?? this.content.data.length;
  }

  toJSON() {
    const rejected = this.rejected;
    return { action: "payment_report", content: this.content, ...(rejected.length ? { rejected } : {}) };
  }
}

/**
 * The glue with every call guarded. A trap (a Rust panic, or any other trap: a bug) leaves the instance
 * unusable; the panic hook (src/wasm.rs) has asked the glue for a fresh instance on the next call, and for
 * any other trap it is asked here. A trap reaches the caller as a CekMutasiError with code `internal`, the
 * fresh instance gets the error class again, and an object of an ended instance (a Matcher, a client)
 * says so; its `free()` does nothing (its memory went with its instance: freeing its pointer in the fresh
 * instance would free someone else's memory).
 */
function guarded(raw) {
  // Which instance each object of the glue was made on (a count of traps), so an object of an ended
  // instance is known without reading the glue's own fields or messages.
  let instance = 0;
  let reset = false;
  const madeOn = new WeakMap();
  // wasm-bindgen's classes are the exports whose instances can be freed.
  const classes = Object.values(raw).filter((v) => typeof v === "function" && typeof v.prototype?.free === "function");
  const remember = (value) => {
    if (typeof value === "object" && value !== null && classes.some((c) => value instanceof c))
      madeOn.set(value, instance);
    return value;
  };
  const convert = (e) => {
    if (!(e instanceof WebAssembly.RuntimeError)) return e;
    instance += 1;
    reset = true;
    try {
      raw.__scheduleReinit();
    } catch {
      // Nothing left to ask: the glue resets on the next call all the same after a panic.
    }
    return new CekMutasiError(
      `internal error in cekmutasi (${e.message}), please report it; the next call runs on a fresh instance, where a Matcher or client made before this error must be made again`,
      { code: "internal" },
    );
  };
  // `method`: a method of a class of the glue, whose object may belong to an ended instance.
  const wrap = (fn, name, method) =>
    function (...args) {
      if (method && madeOn.has(this) && madeOn.get(this) !== instance) {
        if (name === "free") return undefined;
        throw new CekMutasiError(
          "this object belonged to an instance that an internal error ended: make it again (a Matcher: new Matcher({ seen }) and add the open invoices again)",
          { code: "internal" },
        );
      }
      if (reset) {
        reset = false;
        raw.__setErrorClass(CekMutasiError);
      }
      let result;
      try {
        result = remember(fn.apply(this, args));
      } catch (e) {
        throw convert(e);
      }
      return result instanceof Promise ? result.catch((e) => Promise.reject(convert(e))) : result;
    };
  // Made whole at once (Object.fromEntries): an object filled member by member in a loop is kept by V8 as
  // a dictionary, and each call's `glue.name` is then a lookup in it.
  const entries = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "function" || name === "initSync" || name === "default") continue;
    if (!classes.includes(value)) {
      entries.push([name, wrap(value, name, false)]);
      continue;
    }
    for (const key of Object.getOwnPropertyNames(value.prototype)) {
      const d = Object.getOwnPropertyDescriptor(value.prototype, key);
      if (key === "constructor") continue;
      if (typeof d.value === "function") d.value = wrap(d.value, key, true);
      if (d.get) d.get = wrap(d.get, key, true);
      Object.defineProperty(value.prototype, key, d);
    }
    const made = new Proxy(value, {
      construct(target, args, newTarget) {
        try {
          return remember(Reflect.construct(target, args, newTarget));
        } catch (e) {
          throw convert(e);
        }
      },
    });
    entries.push([name, made]);
  }
  const glue = Object.fromEntries(entries);
  // How many instances ended so far: the package's views of the module's memory are made again after one.
  Object.defineProperty(glue, "__instance", { get: () => instance });
  return glue;
}

/**
 * Runs a client task to its end: sends what it asks (fetch, aborted after its timeout), waits when it says
 * so, and reports each outcome back. Whether to retry, after how long, and what an answer means are the
 * task's decisions, not this loop's.
 */
async function drive(client, make) {
  const task = make();
  const send = client.__fetch ?? fetch; // the client's `fetch` option, else the global one
  try {
    let action = task.start();
    while (!("done" in action)) {
      if ("sleep" in action) {
        await new Promise((resolve) => setTimeout(resolve, action.sleep));
        action = task.resumed();
      } else {
        action = await attempt(task, action.send, action.timeoutMs, send);
      }
    }
    return action.done;
  } finally {
    task.free();
  }
}

/** The runtime's code for a failed fetch (Node's fetch puts it on `cause`), for the task's message. */
const errorCode = (e) => [e?.cause?.code, e?.code].find((c) => typeof c === "string");

/**
 * One attempt: the request sent once, never to another URL (`redirect: "manual"`: a redirect is the
 * task's error, so the key and a transfer go to the base URL only), the answer's body streamed into the
 * task, which refuses it past `maxResponseBytes` before copying. The timeout covers the body too.
 */
async function attempt(task, request, timeoutMs, send) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let response;
  let taken = false;
  try {
    try {
      // Called on the global object: a browser's own `fetch`, passed unbound, still works.
      response = await send.call(globalThis, request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        redirect: "manual",
      });
    } catch (e) {
      return task.failed(timedOut, errorCode(e));
    }
    // A `fetch` option that answers something else: the task says so (nothing of it is read).
    if (typeof response?.status !== "number" || typeof response.headers?.get !== "function") {
      response = undefined;
      return task.failed(false, "ERR_FETCH_ANSWER");
    }
    task.head(response.status, response.headers.get("retry-after") ?? undefined);
    taken = true; // from here on, pump lets the body go whenever it stops early
    try {
      await pump(response.body, (chunk) => task.chunk(chunk));
    } catch (e) {
      if (e instanceof ReadFailed) return task.failed(timedOut, errorCode(e.cause));
      throw e;
    }
    return task.answered();
  } finally {
    clearTimeout(timer);
    // An answer whose body was never taken up (a redirect): let the connection go.
    if (!taken) response?.body?.cancel().catch(() => {});
  }
}

/** A failed read of a body stream (as opposed to the sink refusing a chunk). */
class ReadFailed extends Error {}

/**
 * Streams `stream` chunk by chunk into `push`, the Rust side that counts each chunk against its limit
 * before copying it and may refuse it by throwing. Stopping early for any reason cancels the stream, so the
 * sender is stopped and the connection let go; a failed read rejects with `ReadFailed` (its `cause`).
 */
async function pump(stream, push) {
  const reader = stream?.getReader();
  if (!reader) return;
  try {
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new ReadFailed("the body could not be read", { cause: e });
      }
      if (chunk.done) return;
      push(chunk.value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
}

/** The API over an instantiated glue module. */
export function makeApi(raw) {
  raw.__setErrorClass(CekMutasiError);
  const glue = guarded(raw);

  // The module's memory as numbers, and where in it the last body's tape is told (two numbers: where the
  // tape is, in bytes, and its length): made again when the memory grows (its buffer is then detached, and
  // the view has no numbers) or a trap replaced the instance (a fresh memory). Read with no call (these
  // reads cannot trap, so they skip the guard).
  let words = new Uint32Array(0);
  let place = 0;
  let wordsOf = -1;
  /** The report of a source in normal form with `count` rows (undefined: its tape's), and the tape Rust
   * left in its memory for it, if any (`[count, ...events]`). A tape of up to 512 numbers (about 20 rows)
   * is read into the content at once, straight from the module's memory: making the rows costs about what
   * copying the tape would (a typed array costs ~2 µs to make whatever its length), and the copy is
   * saved. A longer tape is copied, its rows made when first read. */
  function reportOf(source, count) {
    if (words.length === 0 || wordsOf !== glue.__instance) {
      words = new Uint32Array(raw.__memory().buffer);
      place = raw.__tapePlace() >>> 2;
      wordsOf = glue.__instance;
    }
    const length = words[place + 1];
    if (length === 0) return new PaymentReport(source, count);
    const at = words[place] >>> 2;
    if (length <= 512)
      return new PaymentReport(source, words[at], undefined, contentOf(source, words, at + 1, at + length));
    return new PaymentReport(source, words[at], words.slice(at, at + length));
  }

  function parseCallback(body, options) {
    // A small array is copied into the module's memory as the glue passes a byte slice (a large one is
    // refused before it is copied, when it is over the limit). The answer is a number (src/wasm/mod.rs,
    // parse_callback): the count of rows, else the text or the error, taken with __answer.
    const n =
      body instanceof Uint8Array && body.length <= SMALL_BODY
        ? glue.__parseCallbackBytes(body, options)
        : glue.__parseCallback(body, options);
    if (n < 0) {
      const answer = glue.__answer();
      if (n === ANSWER_ERROR) throw answer;
      return new PaymentReport(answer);
    }
    // The body is in normal form: it is the source. Bytes are decoded now (they are valid UTF-8), so later
    // writes to the caller's buffer cannot change a validated report.
    const source = typeof body === "string" ? body : decoder.decode(body);
    return reportOf(source, n);
  }

  // Method and signature are checked (in Rust) before the body is read; each chunk is counted against the
  // limit as it arrives, and the sender is stopped at the first chunk past it.
  async function receiveCallback(request, options) {
    // The request is checked (in Rust) to be a Fetch Request before anything of it is used here.
    const body = glue.__callbackBody(request, options);
    try {
      try {
        await pump(request.body, (chunk) => body.push(chunk));
      } catch (e) {
        throw e instanceof ReadFailed ? body.unreadable() : e;
      }
      return reportOf(body.finish());
    } finally {
      body.free();
    }
  }

  // The client's calls: each is a task (src/client.rs) that decides everything; `drive` performs its I/O.
  Object.assign(glue.CekMutasi.prototype, {
    request(endpoint, params) {
      return drive(this, () => this.__request(endpoint, params));
    },
    searchAll(service, filters) {
      return drive(this, () => this.__searchAll(service, filters));
    },
    confirmMutation(mutation, account) {
      return drive(this, () => this.__confirmMutation(mutation, account));
    },
  });

  // One method per endpoint, from the endpoint table: each is `request(path, params)`. The list is written
  // here from the table (endpoints.json) when the package is built.
  for (const [name, path] of ENDPOINT_METHODS) {
    Object.defineProperty(glue.CekMutasi.prototype, name, {
      value: function (params) {
        return this.request(path, params);
      },
      writable: true,
      configurable: true,
    });
  }

  const api = {
    CekMutasiError,
    Ledger: makeLedger(glue, CekMutasiError),
    PaymentReport,
    parseCallback,
    receiveCallback,
  };
  // For the sandbox and benches/ only: not part of the API.
  Object.defineProperty(api, "__memoryBytes", { value: glue.__memoryBytes, enumerable: false });
  Object.defineProperty(api, "__internal", {
    value: {
      readIncoming: glue.__readIncoming,
      signedCallback: glue.__signedCallback,
      serviceFacts: glue.__serviceFacts,
      panicForTests: glue.__panicForTests,
      trapForTests: glue.__trapForTests,
    },
    enumerable: false,
  });
  for (const [name, value] of Object.entries(glue)) {
    if (!name.startsWith("__") && name !== "default" && name !== "initSync") api[name] = value;
  }
  return api;
}
