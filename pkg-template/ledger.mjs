// The Ledger's JS face: the user's own database handle, recognised by its shape (the package bundles no
// driver), and the loop that runs what the Rust core asks. Every decision is the core's (src/ledger); a
// store adapter only runs a batch of statements, all or nothing, and reports each one's rows and changes.

/** Whole Unix seconds now. */
const now = () => Math.floor(Date.now() / 1000);
/** Tokens, one per call: tell this call's writes from any other call's, of this Ledger or any other
 * instance's (not a secret): random per Ledger, then counted. */
const tokens = () => {
  const prefix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}.`;
  let n = 0;
  return () => {
    n += 1;
    return `${prefix}${n}`;
  };
};
const isRead = (sql) => sql.startsWith("SELECT");
/** A batch of reads only needs no transaction (each read may see the database as it is at that moment, as
 * each read of a Postgres transaction at READ COMMITTED does anyway): every write the core asks for is
 * conditional on the state it finds, not on what was read before. On SQLite it then takes no write lock and
 * saves a BEGIN and a COMMIT. */
const readsOnly = (statements) => statements.every(({ sql }) => isRead(sql));
/** Rows as arrays, whatever the driver gives. */
const arrays = (rows) => (rows ?? []).map((r) => (Array.isArray(r) ? r : Object.values(r)));

/** A cache of prepared statements (the core's statements repeat: preparing each once is the drivers' way). */
function prepared(prepare) {
  const cache = new Map();
  return (sql) => {
    let st = cache.get(sql);
    if (st === undefined) {
      st = prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

/** better-sqlite3's `Database` (Node 20): an immediate transaction per batch of writes (waits up to its
 * `timeout`, 5 s by default). */
function betterSqlite3(db) {
  const prepare = prepared((sql) => db.prepare(sql));
  const one = ({ sql, params }) => {
    const st = prepare(sql);
    return isRead(sql)
      ? { changes: 0, rows: st.raw(true).all(...params) }
      : { changes: st.run(...params).changes, rows: [] };
  };
  const batch = db.transaction((statements) => statements.map(one));
  return {
    dialect: "sqlite",
    run: async (statements) => (readsOnly(statements) ? statements.map(one) : batch.immediate(statements)),
  };
}

/** `node:sqlite`'s `DatabaseSync` (Node ≥ 22.5, Deno), and `bun:sqlite`'s `Database`: BEGIN IMMEDIATE … COMMIT. */
function sqliteSync(db, { busy }) {
  const prepare = prepared((sql) => db.prepare(sql));
  busy?.();
  const exec = (sql) => (typeof db.exec === "function" ? db.exec(sql) : db.run(sql));
  const one = ({ sql, params }) => {
    const st = prepare(sql);
    if (!isRead(sql)) return { changes: Number(st.run(...params).changes ?? 0), rows: [] };
    st.setReturnArrays?.(true);
    return { changes: 0, rows: arrays(st.all(...params)) };
  };
  return {
    dialect: "sqlite",
    run: async (statements) => {
      if (readsOnly(statements)) return statements.map(one);
      exec("BEGIN IMMEDIATE");
      try {
        const out = statements.map(one);
        exec("COMMIT");
        return out;
      } catch (e) {
        try {
          exec("ROLLBACK");
        } catch {
          // Already rolled back by SQLite itself (a busy or full database): the error says why.
        }
        throw e;
      }
    },
  };
}

/** A Cloudflare D1 binding: `batch` is atomic (D1 has no interactive transactions; the statements need none). */
function d1(db) {
  return {
    dialect: "sqlite",
    run: async (statements) => {
      const results = await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
      return results.map((r) => ({ changes: r.meta?.changes ?? 0, rows: arrays(r.results) }));
    },
  };
}

/** `pg`'s `Pool` (a connection per batch) or `Client`. `pg` cannot pipeline, so each statement would cost a
 * round trip (and BEGIN and COMMIT two more): the core writes the values into the SQL as escaped literals
 * (dialect `postgres-inline`) and a batch goes as one simple query, which Postgres runs as one transaction
 * and answers with one result per statement. Poolers in transaction mode take it as it is. */
function pg(db) {
  const pool = typeof db.totalCount === "number";
  return {
    dialect: "postgres-inline",
    run: async (statements) => {
      const client = pool ? await db.connect() : db;
      try {
        const answer = await client.query({ text: statements.map((s) => s.sql).join(";\n"), rowMode: "array" });
        const results = Array.isArray(answer) ? answer : [answer];
        return statements.map(({ sql }, i) =>
          isRead(sql) ? { changes: 0, rows: results[i].rows } : { changes: results[i].rowCount ?? 0, rows: [] },
        );
      } finally {
        if (pool) client.release();
      }
    },
  };
}

/** postgres.js's `sql`: `sql.begin` runs a batch with writes in one transaction; the driver pipelines a
 * batch's statements (one round trip, not one each). */
function postgresJs(sql) {
  const one = async (q, { sql: text, params }) => {
    const r = await q.unsafe(text, params).values();
    return { changes: isRead(text) ? 0 : (r.count ?? 0), rows: isRead(text) ? [...r] : [] };
  };
  return {
    dialect: "postgres",
    run: (statements) =>
      readsOnly(statements)
        ? Promise.all(statements.map((s) => one(sql, s)))
        : // Pipelined too: the transaction's connection sends them in order, and the server runs them in order.
          sql.begin((tx) => Promise.all(statements.map((s) => one(tx, s)))),
  };
}

/** The adapter for the user's database handle, by its shape; `undefined` for anything else. */
export function storeOf(db) {
  if (typeof db === "function" && typeof db.unsafe === "function" && typeof db.begin === "function")
    return postgresJs(db);
  if (db === null || typeof db !== "object") return undefined;
  const has = (...names) => names.every((n) => typeof db[n] === "function");
  if (has("prepare", "batch", "exec") && !has("transaction")) return d1(db);
  if (has("prepare", "transaction", "pragma")) return betterSqlite3(db);
  if (has("prepare", "exec") && db.constructor?.name === "DatabaseSync")
    return sqliteSync(db, {
      // node:sqlite waits for no lock by default: several processes on one file need a while.
      busy: () => {
        const [current] = Object.values(db.prepare("PRAGMA busy_timeout").get() ?? {});
        if (!current) db.exec("PRAGMA busy_timeout = 5000");
      },
    });
  if (has("prepare", "query", "transaction", "run")) return sqliteSync(db, {});
  if (has("query", "connect")) return pg(db);
  return undefined;
}

/** The Ledger class over an instantiated (guarded) glue. */
export function makeLedger(glue, CekMutasiError) {
  class Ledger {
    #core;
    #store;
    #token = tokens();
    /** The core's SQL texts by number, each asked for once (a statement comes as its text's number). */
    #texts = [];

    /** @internal Made by Ledger.open only. */
    constructor(core, store) {
      this.#core = core;
      this.#store = store;
    }

    /** Opens the ledger over your database handle, creating its tables when absent. */
    static async open(db, options) {
      const store = storeOf(db);
      if (store === undefined)
        throw new CekMutasiError(
          "db: must be a database handle: node:sqlite DatabaseSync, better-sqlite3 Database, bun:sqlite Database, a D1 binding, a pg Pool or Client, or a postgres.js sql",
          { code: "config", path: "db" },
        );
      const ledger = new Ledger(new glue.__Ledger(store.dialect, options), store);
      await ledger.#run(ledger.#core.open());
      return ledger;
    }

    #text(key) {
      let text = this.#texts[key];
      if (text === undefined) {
        text = this.#core.sql(key);
        this.#texts[key] = text;
      }
      return text;
    }

    /** Runs a core call to its end from its first action (JSON text): the statements it asks for, in the
     * store, until it is done. A call whose store fails is ended in the core. */
    async #run(first) {
      let action = JSON.parse(first);
      // The call while it waits for the store: ended in the core if that fails (a call the core fails in is
      // over already).
      let waiting;
      try {
        while (action.run !== undefined) {
          waiting = action.task;
          for (const s of action.run) if (s.sql === undefined) s.sql = this.#text(s.key);
          const results = JSON.stringify(await this.#store.run(action.run));
          waiting = undefined;
          action = JSON.parse(this.#core.resume(action.task, results));
        }
        return action.done;
      } finally {
        if (waiting !== undefined) this.#core.end(waiting);
      }
    }

    async openInvoice(invoice) {
      return this.#run(this.#core.openInvoice(invoice, now(), this.#token()));
    }

    async apply(mutations) {
      return this.#run(this.#core.apply(mutations, now(), this.#token()));
    }

    async invoice(id) {
      return this.#run(this.#core.invoice(id));
    }

    async cancelInvoice(id) {
      return this.#run(this.#core.cancel(id, now(), this.#token()));
    }

    async unsettled() {
      return this.#run(this.#core.unsettled());
    }

    async settle(mutationId, invoiceId) {
      return this.#run(this.#core.settle(mutationId, invoiceId, now(), this.#token()));
    }

    /** Every row of `client.searchAll(service, filters)`, applied: payments whose callbacks never came. */
    async catchUp(client, service, filters) {
      return this.apply(await client.searchAll(service, filters));
    }
  }
  return Ledger;
}
