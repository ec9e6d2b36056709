// The demo page: the package's browser build (no bundler: one `init()`), four panels. Everything the SDK
// decides (signatures, validation, requests, matching) is a call into it; this file only shows results.
import init, * as cm from "/pkg/web.mjs";

const $ = (selector) => document.querySelector(selector);
/** An element with attributes and children (strings become text, never HTML). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

await init();
const [config, table, sample] = await Promise.all([
  fetch("/config.json").then((r) => r.json()),
  fetch("/pkg/endpoints.json").then((r) => r.json()),
  fetch("/sample.json").then((r) => r.text()),
]);
$("#status").textContent =
  `Ready: the SDK runs in this page as WebAssembly; the sandbox API is at ${config.sandboxUrl}.`;

/** A CekMutasiError as the page shows it: code, path and status marked. */
function errorBox(e) {
  if (!(e instanceof cm.CekMutasiError)) return h("div", { class: "error", role: "alert" }, `Unexpected error: ${e}`);
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", {}, "Refused: "),
    h("mark", { "data-field": "code" }, e.code),
    e.path !== undefined && [" at ", h("mark", { "data-field": "path" }, e.path)],
    e.status !== undefined && [" — HTTP ", h("mark", { "data-field": "status" }, String(e.status))],
    h("p", {}, e.message),
  );
}

const time = (unix) => `${new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;

// ---- 1. Callback ----
$("#callback-body").value = sample;
$("#callback-expected").value = config.signature;
$("#callback-received").value = config.signature;

/** A callback as the Fetch-API request an edge function would receive. */
const callbackRequest = (body, signature) =>
  new Request(`${location.origin}/callback`, {
    method: "POST",
    headers: signature === null ? {} : { "Api-Signature": signature },
    body,
  });

$("#callback-verify").addEventListener("click", async () => {
  const out = $("#callback-result");
  try {
    const report = await cm.receiveCallback(callbackRequest($("#callback-body").value, $("#callback-received").value), {
      signature: $("#callback-expected").value,
    });
    const c = report.content;
    out.replaceChildren(
      h(
        "p",
        { class: "summary ok" },
        `Valid payment report — ${c.service_name} (${c.service_code}), account ${c.account_number}, ${c.account_name}: ${c.data.length} mutation(s).`,
      ),
      // Rows that failed validation are left out; the others count. A receiver answers 200 and keeps these.
      report.rejected.length > 0 &&
        h(
          "div",
          { id: "callback-rejected", class: "rejected" },
          h("p", {}, `${report.rejected.length} row(s) left out (the others count; keep these for a person):`),
          h(
            "ul",
            {},
            report.rejected.map((r) =>
              h(
                "li",
                {},
                h("mark", {}, r.code),
                " ",
                h("mark", { "data-field": "path" }, r.path),
                ` ${r.message.slice(r.path.length + 2)} `,
                h("code", {}, r.raw),
              ),
            ),
          ),
        ),
      h(
        "table",
        { id: "callback-rows" },
        h("caption", {}, "Mutations (amounts as exact two-decimal strings)"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["id", "time", "type", "amount", "description", "balance"].map((t) => h("th", { scope: "col" }, t)),
          ),
        ),
        h(
          "tbody",
          {},
          c.data.map((m) =>
            h(
              "tr",
              {},
              [m.id, time(m.unix_timestamp), m.type, m.amount, m.description, m.balance ?? ""].map((v) =>
                h("td", {}, String(v)),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    out.replaceChildren(errorBox(e));
  }
});

// ---- 2. Requests ----
const EFFECT = {
  read_only: "Read-only: the client retries it on network errors, timeouts, 429 and 5xx.",
  writes: "Changes state at the service: sent at most once, never retried.",
  moves_money: "Moves money: sent at most once, whatever happens.",
};
const PLACEHOLDER = {
  date: "2018-04-09 00:00:00",
  amount: "50000.00",
  id: "1",
  rupiah: "10000",
  currency: "USD",
  json: "{}",
  service_code: "bri, bca, bsi, … (any code)",
};
const DEFAULTS = { "date.from": "2018-04-09 00:00:00", "date.to": "2018-04-09 00:10:00", type: "credit" };
const select = $("#endpoint");
for (const [label, documented] of [
  ["Documented endpoints", true],
  ["Used by the PHP package (undocumented)", false],
]) {
  select.append(
    h(
      "optgroup",
      { label },
      table
        .filter((e) => e.documented === documented)
        .map((e) => h("option", { value: e.path }, `${e.verb} /${e.path}`)),
    ),
  );
}
select.value = "bank/search";
const current = () => table.find((e) => e.path === select.value);

function renderForm() {
  const e = current();
  $("#endpoint-effect").replaceChildren(h("b", {}, `client.${e.method}(…)`), " — ", EFFECT[e.effect]);
  const fields = e.params.map((p, i) => {
    const id = `param-${i}`;
    const label = h("label", { for: id }, p.name, p.required ? " (required)" : "");
    let control;
    if (p.kind === "code" || p.kind === "bool") {
      const options = p.kind === "bool" ? ["true", "false"] : p.options;
      control = h(
        "select",
        { id },
        h("option", { value: "" }, "(not set)"),
        options.map((o) => h("option", {}, o)),
      );
    } else if (p.kind === "json") {
      control = h("textarea", { id, rows: 3, placeholder: PLACEHOLDER.json, spellcheck: "false" });
    } else {
      control = h("input", { id, placeholder: PLACEHOLDER[p.kind] ?? "", autocomplete: "off" });
    }
    if (e.search && DEFAULTS[p.name]) control.value = DEFAULTS[p.name];
    control.dataset.name = p.name;
    control.dataset.kind = p.kind;
    return [label, control];
  });
  $("#params").replaceChildren(h("legend", {}, e.params.length ? "Parameters" : "Parameters (none)"), ...fields.flat());
  $("#request-preview").textContent = "";
  $("#request-result").replaceChildren();
}

/** The form's values as the endpoint's params: dotted names nested, numbers where the table wants them. */
function params() {
  const out = {};
  for (const control of $("#params").querySelectorAll("[data-name]")) {
    const raw = control.value.trim();
    if (raw === "") continue;
    let value = raw;
    if (["id", "rupiah"].includes(control.dataset.kind) && /^\d+$/.test(raw)) value = Number(raw);
    else if (control.dataset.kind === "bool") value = raw === "true";
    else if (control.dataset.kind === "json") {
      try {
        value = JSON.parse(raw);
      } catch {
        // Left as text: the SDK names the parameter that is wrong.
      }
    }
    const path = control.dataset.name.split(".");
    let node = out;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path.at(-1)] = value;
  }
  return out;
}

function build() {
  const request = cm.buildRequest(select.value, params(), { apiKey: config.apiKey, baseUrl: config.sandboxUrl });
  const masked = (k, v) =>
    k.toLowerCase() === "api-key" ? `${v.slice(0, 4)}${"•".repeat(Math.max(0, v.length - 4))}` : v;
  $("#request-preview").textContent = [
    `${request.method} ${request.url}`,
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${masked(k, v)}`),
    ...(request.body === undefined ? [] : ["", request.body]),
  ].join("\n");
  return request;
}

$("#request-build").addEventListener("click", () => {
  $("#request-result").replaceChildren();
  try {
    build();
  } catch (e) {
    $("#request-preview").textContent = "";
    $("#request-result").replaceChildren(errorBox(e));
  }
});

$("#request-send").addEventListener("click", async () => {
  const out = $("#request-result");
  out.replaceChildren(h("p", {}, "Sending…"));
  try {
    build();
    const client = new cm.CekMutasi({
      apiKey: config.apiKey,
      baseUrl: config.sandboxUrl,
      retries: 0,
      timeoutMs: 10_000,
    });
    const payload = await client.request(select.value, params());
    const count = Array.isArray(payload) ? `${payload.length} row(s)` : "payload";
    const shown =
      Array.isArray(payload) && payload.length > 20
        ? [...payload.slice(0, 20), `… ${payload.length - 20} more`]
        : payload;
    out.replaceChildren(
      h("p", { class: "summary ok", id: "request-summary" }, `success: ${count}`),
      h("pre", { tabindex: 0 }, JSON.stringify(shown, null, 2)),
    );
  } catch (e) {
    out.replaceChildren(errorBox(e));
  }
});
select.addEventListener("change", renderForm);
renderForm();

// ---- 3. Matching ----
const matcher = new cm.Matcher({ grace_seconds: 300 });
const invoices = [];
const mutations = new Map();
let nextInvoice = 1;
let nextMutation = 1;

function addInvoice(price, exact) {
  const open = invoices.filter((i) => i.status === "open").map((i) => i.amount);
  // As it is: the same normalisation, with a code range of just 0.
  const amount = exact ? cm.uniqueAmount(price, [], { min: 0, max: 0 }) : cm.uniqueAmount(price, open);
  const invoice = { id: `INV-${nextInvoice}`, amount, created_at: Math.floor(Date.now() / 1000) - 60 };
  matcher.add(invoice);
  nextInvoice += 1;
  invoices.push({ ...invoice, status: "open" });
  renderInvoices();
}

function renderInvoices() {
  $("#invoices tbody").replaceChildren(
    ...invoices.map((i) =>
      h(
        "tr",
        { class: i.status === "open" ? "open" : "paid", "data-invoice": i.id },
        h("td", {}, i.id),
        h("td", {}, i.amount),
        h("td", {}, i.status),
      ),
    ),
  );
}

/** Shows a MatchResult: every mutation once, by outcome. */
function show(list, result, prefix = "") {
  const item = (kind, text) => h("li", { class: kind }, h("span", { class: "tag" }, kind), " ", prefix, text);
  const amountOf = (id) => mutations.get(id)?.amount ?? "";
  const items = [];
  for (const m of result.matched) {
    const invoice = invoices.find((i) => i.id === m.invoice_id);
    invoice.status = `paid by mutation ${m.mutation_id}`;
    items.push(item("matched", `mutation ${m.mutation_id} (${m.amount}) paid ${m.invoice_id}`));
  }
  for (const a of result.ambiguous)
    items.push(
      item(
        "ambiguous",
        `mutation ${a.mutation_id} (${amountOf(a.mutation_id)}) fits ${a.invoice_ids.join(", ")}: nothing paid, a person decides`,
      ),
    );
  for (const id of result.unmatched)
    items.push(item("unmatched", `mutation ${id} (${amountOf(id)}): no open invoice of exactly that amount`));
  for (const i of result.ignored)
    items.push(item("ignored", `mutation ${i.mutation_id} (${amountOf(i.mutation_id)}): ${i.reason}`));
  list.prepend(...items);
  renderInvoices();
}

$("#invoice-form").addEventListener("submit", (event) => {
  event.preventDefault();
  try {
    addInvoice($("#invoice-price").value.trim(), $("#invoice-exact").checked);
  } catch (e) {
    $("#outcomes").prepend(h("li", { class: "rejected" }, errorBox(e)));
  }
});

$("#credit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const row = {
    id: nextMutation++,
    unix_timestamp: Math.floor(Date.now() / 1000),
    type: $("#credit-type").value,
    amount: $("#credit-amount").value.trim(),
    description: $("#credit-description").value,
  };
  try {
    const result = matcher.match([row]);
    mutations.set(row.id, { amount: cm.uniqueAmount(row.amount, [], { min: 0, max: 0 }) });
    show($("#outcomes"), result);
  } catch (e) {
    $("#outcomes").prepend(h("li", { class: "rejected" }, errorBox(e)));
  }
});

addInvoice("150000", false);
addInvoice("150000", false);
addInvoice("275000", false);

// ---- 4. Live feed, kept in a Ledger (on the demo's server), and 5. its unsettled credits ----
const feed = $("#feed");
let ledger = { invoices: [], unsettled: [] };

/** Asks the demo's server; its errors (a CekMutasiError there) come back as { code, path, message }. */
async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  const value = await res.json();
  if (!res.ok) throw new cm.CekMutasiError(value.message, { code: value.code, path: value.path });
  return value;
}

const statusOf = (i) =>
  i.status === "paid" ? `paid by mutation ${i.paid_by}` : i.status === "cancelled" ? "cancelled" : "open";

async function refreshLedger() {
  ledger = await api("/api/ledger");
  $("#orders tbody").replaceChildren(
    ...ledger.invoices.map((i) =>
      h(
        "tr",
        { class: i.status === "open" ? "open" : "paid", "data-invoice": i.id },
        h("td", {}, i.id),
        h("td", {}, i.amount),
        h("td", {}, statusOf(i)),
      ),
    ),
  );
  $("#unsettled").dataset.count = String(ledger.unsettled.length);
  $("#unsettled-list").replaceChildren(
    ...ledger.unsettled.map((o) => {
      const fits = ledger.invoices.filter(
        (i) => i.status === "open" && i.amount === o.amount && (o.invoice_ids ?? [i.id]).includes(i.id),
      );
      const choice = h(
        "select",
        { "aria-label": `Order that mutation ${o.mutation_id} pays` },
        fits.map((i) => h("option", { value: i.id }, i.id)),
      );
      const settle = h("button", { type: "button", disabled: fits.length === 0 }, "Settle");
      settle.addEventListener("click", async () => {
        try {
          await api("/api/ledger/settle", { mutation_id: o.mutation_id, invoice_id: choice.value });
          await refreshLedger();
        } catch (e) {
          $("#unsettled-list").prepend(h("li", { class: "rejected" }, errorBox(e)));
        }
      });
      return h(
        "li",
        { class: o.outcome, "data-mutation": String(o.mutation_id) },
        h("span", { class: "tag" }, o.outcome),
        ` mutation ${o.mutation_id} (${o.amount})`,
        o.invoice_ids ? ` fits ${o.invoice_ids.join(", ")} ` : " ",
        fits.length ? [choice, " ", settle] : "— no open order of this amount: open one to settle it",
      );
    }),
  );
}

/** The Ledger's outcomes of a callback, as the feed shows them. */
function showOutcomes(outcomes) {
  const item = (kind, text) =>
    h("li", { class: kind }, h("span", { class: "tag" }, kind), " verified callback: ", text);
  feed.prepend(
    ...outcomes.map((o) => {
      const m = `mutation ${o.mutation_id} (${o.amount})`;
      const again = o.replayed ? " (decided before: replayed)" : "";
      if (o.outcome === "matched") return item("matched", `${m} paid ${o.invoice_id}${again}`);
      if (o.outcome === "ambiguous")
        return item("ambiguous", `${m} fits ${o.invoice_ids.join(", ")}: nothing paid, a person decides${again}`);
      if (o.outcome === "unmatched") return item("unmatched", `${m}: no open order of exactly that amount${again}`);
      return item("ignored", `${m}: a debit, not a payment${again}`);
    }),
  );
}

const events = new EventSource("/events");
events.addEventListener("message", async (message) => {
  const { signature, body, outcomes } = JSON.parse(message.data);
  try {
    // The page checks the callback itself too (the server applied it only if it verified).
    await cm.receiveCallback(callbackRequest(body, signature), { signature: config.signature });
    showOutcomes(outcomes ?? []);
  } catch (e) {
    feed.prepend(h("li", { class: "rejected" }, errorBox(e)));
  }
  await refreshLedger();
});

$("#order-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = $("#order-price").value.trim();
  try {
    await api("/api/ledger/invoices", $("#order-exact").checked ? { amount: value } : { price: value });
    await refreshLedger();
  } catch (e) {
    feed.prepend(h("li", { class: "rejected" }, errorBox(e)));
  }
});

async function generate(amount) {
  const description = `TRSF E-BANKING CR ${Date.now() % 100000}`;
  const res = await fetch("/api/mutation", { method: "POST", body: JSON.stringify({ amount, description }) });
  if (!res.ok) feed.prepend(h("li", { class: "rejected" }, `the sandbox refused: HTTP ${res.status}`));
}
const oldestOpen = () => ledger.invoices.find((i) => i.status === "open");
$("#live-pay").addEventListener("click", () => {
  const invoice = oldestOpen();
  return invoice
    ? generate(invoice.amount)
    : feed.prepend(h("li", { class: "ignored" }, "No open order: open one above."));
});
$("#live-random").addEventListener("click", () => generate(String(10_000 + Math.floor(Math.random() * 490) * 1000)));
let timer;
$("#live-auto").addEventListener("change", (event) => {
  clearInterval(timer);
  if (event.target.checked) timer = setInterval(() => generate(oldestOpen()?.amount ?? "12345"), 3000);
});
await refreshLedger();
document.body.dataset.ready = "true";
