// A local sandbox of the CekMutasi API, for tests, demos and development: every endpoint of the SDK's
// endpoint table, the same envelope and errors, the 1000-row search cap, the GET/POST split, state in
// memory, signed callbacks, and faults on demand. Requests are read and validated by the SDK itself
// (the same table and rules as the client); what lives here is only the fake service's behaviour.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { makeApi } from "./api.mjs";
import * as glue from "./sandbox-wasm/sandbox.mjs";

// The sandbox's own module: the SDK plus the server side of the API (reading requests, signing callbacks).
glue.initSync({ module: readFileSync(new URL("./sandbox-wasm/sandbox_bg.wasm", import.meta.url)) });
const { readIncoming, signedCallback, serviceFacts } = makeApi(glue).__internal;
// Each endpoint's payload member, from the endpoint table.
const PAYLOAD = new Map(
  JSON.parse(readFileSync(new URL("./endpoints.json", import.meta.url), "utf8")).map((e) => [e.path, e.payload]),
);
// The search cap and the service's time zone, as the SDK's core knows them.
const { searchCap: CAP, serviceUtcOffsetSeconds: JAKARTA } = serviceFacts();

/** `Y-m-d H:i:s` in the service's local time (Asia/Jakarta). */
const localDate = (unix) => new Date((unix + JAKARTA) * 1000).toISOString().replace("T", " ").slice(0, 19);
/** Money without floats: amounts are whole cents (integers, or a decimal text read digit by digit). */
const money = (cents) => {
  const c = BigInt(cents);
  const digits = (c < 0n ? -c : c).toString().padStart(3, "0");
  return `${c < 0n ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
/** The cents of a decimal amount (`"150003"`, `"150003.5"`, `150003.50`), or a ControlError. */
const cents = (amount) => {
  const text = String(amount);
  const m = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m)
    throw new ControlError(
      `amount must be a decimal amount such as 150003 or 150003.50, not ${JSON.stringify(amount)}`,
    );
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
};

const BANK_NAMES = {
  bri: "Bank BRI",
  bca: "Bank BCA",
  bni: "Bank BNI",
  mandiri: "Bank Mandiri",
  mandiri_online: "Bank Mandiri Online",
  btpn_jenius: "BTPN Jenius",
};

/** Seeded, deterministic state: a few accounts and a day of mutations on each. */
export function seedState({ rows = 3000, start = Date.UTC(2018, 3, 9) / 1000 - JAKARTA } = {}) {
  const state = {
    accounts: new Map(),
    rows: { bank: [], ovo: [], gopay: [], paypal: [] },
    inquiries: new Map(),
    transfers: new Map(),
    nextId: 1,
  };
  const account = (service_code, account_number, account_name, extra = {}) => {
    const id = state.nextId++;
    state.accounts.set(id, {
      id,
      service_code,
      service_name: BANK_NAMES[service_code] ?? service_code.toUpperCase(),
      account_number,
      account_name,
      balance: 15_000_000,
      package: "basic",
      ipn_url: "",
      status: "ACTIVE",
      ...extra,
    });
    return state.accounts.get(id);
  };
  const bri = account("bri", "1234567890", "Toko Sandbox");
  account("bca", "0987654321", "Toko Sandbox");
  const ovo = account("ovo", "081234567890", "Toko Sandbox");
  const gopay = account("gopay", "081298765432", "Toko Sandbox");
  account("paypal", "toko@example.com", "Toko Sandbox");
  let balance = 15_000_000;
  for (let i = 0; i < rows; i++) {
    const type = i % 5 === 0 ? "debit" : "credit";
    const amount = 50_000 + ((i * 7919) % 900) * 1000 + (i % 997);
    balance += type === "credit" ? amount : -amount;
    state.rows.bank.push({
      id: 100_000 + i,
      service_code: bri.service_code,
      account_number: bri.account_number,
      unix_timestamp: start + Math.floor((i * 86_399) / rows),
      type,
      amount: money(amount * 100),
      description: `TRSF E-BANKING ${type === "credit" ? "CR" : "DB"} ${1000 + i} INV-${10_000 + i}`,
      balance: money(balance * 100),
    });
  }
  // Fifty e-wallet rows on each wallet: ids, amounts and balances apart per wallet.
  const wallet = (a, i, { id, amount, balance, ...extra }) => ({
    id: id + i,
    service_code: a.service_code,
    account_number: a.account_number,
    unix_timestamp: start + i * 1700,
    type: i % 3 ? "credit" : "debit",
    amount: money((amount + i * 500) * 100),
    description: `${a.service_code.toUpperCase()} ${i}`,
    balance: money((balance + i) * 100),
    ...extra,
  });
  for (let i = 0; i < 50; i++) {
    state.rows.ovo.push(wallet(ovo, i, { id: 200_000, amount: 10_000, balance: 1_000_000 }));
    state.rows.gopay.push(
      wallet(gopay, i, {
        id: 300_000,
        amount: 20_000,
        balance: 2_000_000,
        partner_phone: `08130000${String(i).padStart(4, "0")}`,
      }),
    );
  }
  for (let i = 0; i < 20; i++) {
    state.rows.paypal.push({
      id: 400_000 + i,
      username: "toko@example.com",
      unix_timestamp: start + i * 4000,
      type: "payment",
      email: `buyer${i}@example.com`,
      name: `Buyer ${i}`,
      transactionid: `PP${9000 + i}`,
      status: "Completed",
      amount: money((10 + i) * 100),
      fee: money(50),
      net: money(950 + i * 100),
      currency: "USD",
    });
  }
  return state;
}

class ServiceError extends Error {}

/** What each search filter means for a row. */
function searchRows(rows, f) {
  const from = f.date?.from ?? "0000-00-00 00:00:00";
  const to = f.date?.to ?? "9999-12-31 23:59:59";
  const hits = rows.filter((r) => {
    const at = localDate(r.unix_timestamp);
    if (at < from || at > to) return false;
    if (f.amount !== undefined && cents(r.amount) !== cents(f.amount)) return false;
    if (f.description && !r.description?.toLowerCase().includes(f.description.toLowerCase())) return false;
    for (const k of [
      "type",
      "service_code",
      "account_number",
      "partner_phone",
      "username",
      "email",
      "transactionid",
      "currency",
    ]) {
      if (f[k] !== undefined && r[k] !== f[k]) return false;
    }
    return true;
  });
  return hits.slice(0, CAP); // the service's cap
}

/** The fake service: one handler per endpoint path; parameters arrive validated by the SDK's table. */
function handlers(state, now) {
  const accountOr404 = (id) => {
    const a = state.accounts.get(id);
    if (!a) throw new ServiceError("Account not found");
    return a;
  };
  const servicesOf = (kind) =>
    [...state.accounts.values()].filter((a) =>
      kind === "bank" ? BANK_NAMES[a.service_code] : a.service_code === kind,
    );
  const total = (kind) => ({ balance: money(servicesOf(kind).reduce((s, a) => s + BigInt(a.balance) * 100n, 0n)) });
  const detail = (kind) => (p) => {
    const a = accountOr404(p.id);
    if (!servicesOf(kind).includes(a)) throw new ServiceError("Account not found");
    return a;
  };
  const h = {
    myip: () => ({ ip: { v4: "127.0.0.1", v6: "::1" } }),
    "bank/add": (p) => {
      const id = state.nextId++;
      const a = {
        id,
        service_code: p.service_code,
        service_name: BANK_NAMES[p.service_code],
        account_number: p.account_number,
        account_name: p.account_name,
        balance: 0,
        package: p.package_code,
        ipn_url: p.ipn_url ?? "",
        status: p.status ?? "ACTIVE",
      };
      state.accounts.set(id, a);
      return a;
    },
    "bank/update": (p) => {
      const a = accountOr404(p.id);
      for (const k of ["account_number", "account_name", "ipn_url", "status"]) if (p[k] !== undefined) a[k] = p[k];
      return a;
    },
    "bank/delete": (p) => {
      const a = accountOr404(p.id);
      state.accounts.delete(a.id);
      state.rows.bank = state.rows.bank.filter((r) => r.account_number !== a.account_number);
      return undefined; // the page's sample: the envelope alone
    },
    "bank/list": (p) =>
      servicesOf("bank").filter(
        (a) =>
          (!p.service_code || a.service_code === p.service_code) &&
          (!p.account_number || a.account_number === p.account_number),
      ),
    "ovo/transfer/bank-list": () => [
      { code: "014", name: "BCA" },
      { code: "002", name: "BRI" },
      { code: "009", name: "BNI" },
      { code: "008", name: "MANDIRI" },
    ],
    "ovo/transfer/inquiry": (p) => {
      const uuid = randomUUID();
      const inquiry = {
        uuid,
        bank_code: p.bank_code,
        bank_name: "BCA",
        destination_number: p.destination_number,
        destination_name: "PENERIMA SANDBOX",
        source_number: p.source_number,
        expired_at: localDate(now() + 300),
        token: randomUUID().replace(/-/g, ""),
      };
      state.inquiries.set(uuid, { ...inquiry, used: false, expires: now() + 300 });
      return inquiry;
    },
    "ovo/transfer/send": (p) => {
      const q = state.inquiries.get(p.uuid);
      if (!q || q.token !== p.token) throw new ServiceError("Invalid token");
      if (q.used) throw new ServiceError("Token has already been used");
      if (now() > q.expires) throw new ServiceError("Token has expired");
      q.used = true; // single use
      const transfer = {
        uuid: q.uuid,
        transaction_id: 500_000 + state.transfers.size,
        source_number: q.source_number,
        bank_code: q.bank_code,
        bank_name: q.bank_name,
        destination_number: q.destination_number,
        destination_name: q.destination_name,
        amount: p.amount,
        note: p.note ?? "",
        status: "success",
        refference_id: `REF${Date.now()}`,
        datetime: localDate(now()),
        timezone: "Asia/Jakarta",
        created_at: localDate(now()),
        expired_at: q.expired_at,
      };
      state.transfers.set(q.uuid, transfer);
      return transfer;
    },
    "ovo/transfer/detail": (p) => {
      const t = state.transfers.get(p.uuid);
      if (t) return t;
      const q = state.inquiries.get(p.uuid);
      if (!q) throw new ServiceError("Transfer not found");
      return {
        uuid: q.uuid,
        source_number: q.source_number,
        bank_code: q.bank_code,
        destination_number: q.destination_number,
        status: "inquiry",
        expired_at: q.expired_at,
      };
    },
    "ovo/transfer-ovo/inquiry": (p) => ({ fullname: "PENERIMA OVO SANDBOX", phone: p.phone }),
    // As the page's sample answers it.
    "ovo/transfer-ovo/send": () => ({ code: 5, message: "Transfer success", isOvo: 0 }),
    "whatsapp/send": (p) => {
      const row = Object.values(state.rows)
        .flat()
        .find((r) => r.id === p.mutation_id);
      if (!row) throw new ServiceError("Mutation not found");
      const name = p.tokens?.name ?? "Pelanggan";
      return {
        sender: p.sender_phone,
        receiver: p.receiver_phone,
        message: `Halo ${name}, pembayaran Rp ${row.amount} sudah kami terima.`,
        status: "SENT", // the page's sample's case
        note: "",
      };
    },
    balance: () => ({ balance: "150000.00" }),
    "paypal/transaction/detail": (p) => {
      const row = state.rows.paypal.find((r) => r.username === p.username && r.transactionid === p.transactionid);
      if (!row) throw new ServiceError("Transaction not found");
      return row;
    },
  };
  for (const kind of ["bank", "ovo", "gopay", "paypal"]) {
    h[`${kind}/search`] = (p) => searchRows(state.rows[kind], p);
    h[`${kind}/balance`] = () => total(kind);
    h[`${kind}/detail`] = detail(kind);
    if (kind !== "bank") h[`${kind}/list`] = () => servicesOf(kind);
  }
  return h;
}

/** A mistake in a request to the sandbox's control routes: answered 400 with its message. */
class ControlError extends Error {}

/** The most faults one call to /__sandbox/faults may queue. */
export const MAX_FAULTS = 1000;
/** How long postCallback waits for a receiver by default. */
export const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * Posts a signed payment report to `url` (http or https only), as the service does; resolves to the
 * receiver's answer. A redirect is the answer (never followed: the report goes to `url` only), and a
 * receiver that does not answer within `timeoutMs` is an error.
 */
export async function postCallback(
  url,
  {
    signature,
    service_code = "bri",
    account_number = "1234567890",
    account_name = "Toko Sandbox",
    rows,
    timeoutMs = CALLBACK_TIMEOUT_MS,
  },
) {
  let target;
  try {
    target = new URL(url);
  } catch {
    throw new ControlError(`the callback URL is not a URL: ${JSON.stringify(String(url))}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new ControlError(`the callback URL must be http(s), not ${target.protocol}`);
  const report = {
    action: "payment_report",
    content: {
      service_name: BANK_NAMES[service_code] ?? service_code.toUpperCase(),
      service_code,
      account_number,
      account_name,
      data: rows,
    },
  };
  const { headers, body } = signedCallback(report, signature);
  const res = await fetch(target, {
    method: "POST",
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * The one mutation of a triggered callback (the control route and the command line): `amount` (default
 * 50000), `type` (credit), `description`, `id` and `unix_timestamp` as given.
 */
export function triggerRow({ id, unix_timestamp, type = "credit", amount = 50000, description = "TRANSFER SANDBOX" }) {
  return { id, unix_timestamp, type, amount: money(cents(amount)), description, balance: "15000000.00" };
}

/**
 * Starts the sandbox. Options: port (0 for any), host ("127.0.0.1"), apiKey, signature (the callback
 * signature), rows (seeded bank mutations), now (a clock in Unix seconds, for tests).
 * Resolves to { url, apiKey, signature, state, close }.
 */
export async function startSandbox(options = {}) {
  const apiKey = options.apiKey ?? "sandbox-api-key";
  const signature = options.signature ?? "sandbox-signature";
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const state = seedState({ rows: options.rows ?? 3000 });
  const handle = handlers(state, now);
  let faults = [];
  // Mutation ids from the start time in milliseconds: a receiver that remembers the ids it processed does
  // not mistake the next run's mutations for this run's (ids restarting at a constant did).
  let nextMutationId = Date.now();

  const send = (res, status, value) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  async function control(path, input, res) {
    if (path === "/__sandbox/faults") {
      // The next `count` API calls fail: { count, status?, body?, delay?, reset? }.
      const { count = 1, ...fault } = input;
      if (!Number.isSafeInteger(count) || count < 0 || count > MAX_FAULTS)
        throw new ControlError(`count must be a whole number from 0 to ${MAX_FAULTS}`);
      faults = Array.from({ length: count }, () => fault);
      return send(res, 200, { success: true, faults: faults.length });
    }
    if (path === "/__sandbox/trigger") {
      // A signed payment report with one mutation, posted to `url`.
      const row = triggerRow({
        ...input,
        id: input.id ?? nextMutationId++,
        unix_timestamp: input.unix_timestamp ?? now(),
      });
      const service_code = input.service_code ?? "bri";
      const account_number = input.account_number ?? "1234567890";
      // Recorded as the service records it, so a search (and confirmMutation) finds the triggered mutation.
      const kind = ["ovo", "gopay", "paypal"].includes(service_code) ? service_code : "bank";
      state.rows[kind].push({ service_code, account_number, ...row });
      const answer = await postCallback(input.url, {
        signature: input.signature ?? signature,
        service_code,
        account_number,
        rows: [row],
      });
      return send(res, 200, { success: true, mutation: row, callback: answer });
    }
    if (path === "/__sandbox/mutations") {
      // A new mutation on a registered account; posted to its ipn_url when it has one.
      const account = state.accounts.get(Number(input.account_id ?? 1));
      if (!account) return send(res, 404, { success: false, error_message: "Account not found" });
      const kind = ["ovo", "gopay", "paypal"].includes(account.service_code) ? account.service_code : "bank";
      const row = {
        id: nextMutationId++,
        service_code: account.service_code,
        account_number: account.account_number,
        unix_timestamp: input.unix_timestamp ?? now(),
        type: input.type ?? "credit",
        amount: money(cents(input.amount ?? 50000)),
        description: input.description ?? "TRANSFER",
        balance: money(account.balance * 100),
      };
      state.rows[kind].push(row);
      let callback = null;
      if (account.ipn_url) {
        const { service_code: _s, account_number: _a, ...data } = row;
        callback = await postCallback(account.ipn_url, {
          signature,
          service_code: account.service_code,
          account_number: account.account_number,
          account_name: account.account_name,
          rows: [data],
        });
      }
      return send(res, 200, { success: true, mutation: row, callback });
    }
    return send(res, 404, { success: false, error_message: "Not found" });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://sandbox");
    const controlRoute = url.pathname.startsWith("/__sandbox/");
    // Pages on other local origins (the demo, users' own front ends) may call the API, as they would a
    // proxy: it needs the API key. The control routes never allow another origin: they post to any URL
    // they are given, and a page must not be able to use the sandbox to reach (and read) internal URLs.
    if (!controlRoute) res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS") {
      if (controlRoute) return res.writeHead(403).end();
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "api-key, content-type, accept, user-agent",
        "access-control-max-age": "600",
      });
      return res.end();
    }
    let body = "";
    for await (const chunk of req) body += chunk;
    try {
      if (controlRoute) {
        let input;
        try {
          input = body ? JSON.parse(body) : {};
        } catch {
          return send(res, 400, { success: false, error_message: "the body must be JSON" });
        }
        try {
          return await control(url.pathname, input, res);
        } catch (e) {
          if (e instanceof ControlError) return send(res, 400, { success: false, error_message: e.message });
          throw e;
        }
      }
      const fault = faults.shift();
      if (fault) {
        if (fault.delay) await new Promise((r) => setTimeout(r, fault.delay));
        if (fault.reset) return req.socket.destroy();
        if (fault.status) {
          res.writeHead(fault.status, {
            "content-type": "text/plain",
            ...(fault.retryAfter ? { "retry-after": String(fault.retryAfter) } : {}),
          });
          return res.end(fault.body ?? "sandbox fault");
        }
      }
      const path = url.pathname.replace(/^\/v1\//, "");
      // The key is checked before the parameters, as the service does: a wrong key is never told which
      // parameter is wrong.
      if (PAYLOAD.has(path) && req.headers["api-key"] !== apiKey)
        return send(res, 200, { success: false, error_message: "Invalid API Key", [PAYLOAD.get(path)]: [] });
      let call;
      try {
        call = readIncoming(req.method, path, url.search.slice(1), body);
      } catch (e) {
        if (e.code === "config")
          return send(res, e.status ?? 404, {
            success: false,
            error_message: e.status === 405 ? "Method Not Allowed" : "Not Found",
          });
        return send(res, 200, { success: false, error_message: e.message });
      }
      try {
        const value = handle[call.path](call.params);
        // No payload member at all where the page's sample has none (bank/delete).
        return send(res, 200, {
          success: true,
          error_message: "",
          ...(value === undefined ? {} : { [call.payload]: value }),
        });
      } catch (e) {
        if (e instanceof ServiceError)
          return send(res, 200, { success: false, error_message: e.message, [call.payload]: [] });
        throw e;
      }
    } catch (e) {
      return send(res, 500, { success: false, error_message: `sandbox error: ${e.message}` });
    }
  });
  // A port in use rejects (instead of an unhandled 'error' event).
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8787, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address();
  const base = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url: `${base}/v1`,
    controlUrl: `${base}/__sandbox`,
    apiKey,
    signature,
    state,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}
