// The demo (www/, served by www/server.mjs with the sandbox) in headless Chromium: all five panels, as a
// merchant's developer would use them, with screenshots at desktop and phone width in target/screenshots/.
// The demo's Ledger is on a SQLite file of the test's own; the demo is restarted and has lost nothing.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromiumPage } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "target", "screenshots");
mkdirSync(shots, { recursive: true });

/** Starts the demo on free ports with its Ledger in `db`; resolves to its URL and how to stop it. */
async function startDemo(t, db) {
  const child = spawn(process.execPath, [join(root, "www", "server.mjs")], {
    env: { ...process.env, PORT: "0", SANDBOX_PORT: "0", LEDGER_DB: db },
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill());
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/demo: (http:\/\/\S+)/);
      if (m) resolve([m[1], stop]);
    });
    child.on("exit", (code) => reject(new Error(`demo server exited ${code}: ${out}`)));
  });
}

const texts = (page, selector) => page.locator(selector).allInnerTexts();

for (const [name, viewport] of [
  ["desktop", { width: 1280, height: 900 }],
  ["phone", { width: 390, height: 844 }],
]) {
  test(`demo page, ${name} width: callback, requests, matching, live feed on a Ledger, settling, a restart`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cekmutasi-demo-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "ledger.db");
    const [url, stop] = await startDemo(t, db);
    const { page, errors, close } = await chromiumPage({ viewport });
    t.after(close);
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });

    // 1. Callback: the seeds' sample verifies and parses; a bad amount leaves its row out; a wrong signature is refused.
    await page.getByRole("button", { name: "Verify and parse" }).click();
    await page.waitForSelector("#callback-rows");
    assert.match(
      await page.locator("#callback-result .summary").innerText(),
      /Valid payment report — Bank BRI \(bri\), account 1234567890, Nama Pemilik Rekening: 2 mutation/,
    );
    assert.deepEqual(await texts(page, "#callback-rows tbody td:nth-child(4)"), ["1400026.00", "50000.00"]);
    const body = await page.locator("#callback-body").inputValue();
    await page.locator("#callback-body").fill(body.replace('"1400026.00"', '"1.400.026,00"'));
    await page.getByRole("button", { name: "Verify and parse" }).click();
    // The bad row is left out and shown with its error; the other row still counts.
    await page.waitForSelector("#callback-rejected [data-field=path]");
    assert.deepEqual(await texts(page, "#callback-result mark"), ["invalid_payload", "content.data[0].amount"]);
    assert.deepEqual(await texts(page, "#callback-rows tbody td:nth-child(4)"), ["50000.00"]);
    await page.locator("#callback-body").fill(body);
    await page.getByLabel("Api-Signature header received").fill("forged");
    await page.getByRole("button", { name: "Verify and parse" }).click();
    await page.waitForFunction(
      () => document.querySelector("#callback-result mark")?.textContent === "invalid_signature",
    );
    assert.deepEqual(await texts(page, "#callback-result mark"), ["invalid_signature", "401"]);
    await page
      .getByLabel("Api-Signature header received")
      .fill(await page.getByLabel("Configured signature").inputValue());
    await page.getByRole("button", { name: "Verify and parse" }).click();
    await page.waitForSelector("#callback-rows");

    // 2. Requests: bank/search from the table's form; the exact request, then the sandbox's rows.
    await page.getByLabel("Endpoint").selectOption("bank/search");
    await page.getByLabel("amount", { exact: true }).fill("769001");
    await page.getByRole("button", { name: "Build request" }).click();
    const preview = await page.locator("#request-preview").innerText();
    const lines = preview.split("\n");
    assert.match(lines[0], /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/bank\/search$/);
    assert.ok(lines.includes("Api-Key: sand•••••••••••"), preview);
    assert.equal(
      lines.at(-1),
      "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Bdate%5D%5Bto%5D=2018-04-09+00%3A10%3A00&search%5Bamount%5D=769001&search%5Btype%5D=credit",
    );
    await page.getByRole("button", { name: "Send to the sandbox" }).click();
    await page.waitForSelector("#request-summary");
    assert.equal(await page.locator("#request-summary").innerText(), "success: 1 row(s)");
    assert.match(await page.locator("#request-result pre").innerText(), /"id": 100001,[\s\S]*"amount": "769001.00"/);
    // A parameter the table refuses: the error names it.
    await page.getByLabel("amount", { exact: true }).fill("1.5e3");
    await page.getByRole("button", { name: "Build request" }).click();
    assert.deepEqual(await texts(page, "#request-result mark"), ["invalid_params", "search.amount"]);
    // An endpoint that moves money says so.
    await page.getByLabel("Endpoint").selectOption("ovo/transfer/send");
    assert.match(
      await page.locator("#endpoint-effect").innerText(),
      /client\.ovoTransferSend\(…\) — Moves money: sent at most once/,
    );
    // Back to a read: the form is made anew, with the search's defaults.
    await page.getByLabel("Endpoint").selectOption("myip");
    assert.equal(await page.locator("#params legend").innerText(), "Parameters (none)");
    await page.getByRole("button", { name: "Send to the sandbox" }).click();
    await page.waitForSelector("#request-summary");
    assert.match(
      await page.locator("#request-preview").innerText(),
      /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/myip\nApi-Key: sand•+\nAccept: application\/json/,
    );
    assert.match(await page.locator("#request-result pre").innerText(), /"v4": "127\.0\.0\.1"/);

    // 3. Matching: three open invoices with unique codes; matched, ambiguous, unmatched, ignored.
    assert.deepEqual(await texts(page, "#invoices tbody td:nth-child(2)"), ["150001.00", "150002.00", "275001.00"]);
    await page.getByLabel("Price", { exact: true }).fill("275001");
    await page.getByLabel("Use the price as it is (no unique code)").check();
    await page.getByRole("button", { name: "Add invoice" }).click();
    const credit = async (amount, type = "credit") => {
      await page.getByLabel("Amount", { exact: true }).fill(amount);
      await page.getByLabel("Type", { exact: true }).selectOption(type);
      await page.getByRole("button", { name: "Match this mutation" }).click();
    };
    await credit("150001.00");
    await credit("275001");
    await credit("99.99");
    await credit("150002.00", "debit");
    await credit("1,5");
    assert.deepEqual(await texts(page, "#outcomes li"), [
      "Refused: invalid_params at mutations[0].amount\n\nmutations[0].amount: not a decimal amount (digits, optionally '.' and one or two decimals; no separators or exponent)",
      "IGNORED mutation 4 (150002.00): debit",
      "UNMATCHED mutation 3 (99.99): no open invoice of exactly that amount",
      "AMBIGUOUS mutation 2 (275001.00) fits INV-3, INV-4: nothing paid, a person decides",
      "MATCHED mutation 1 (150001.00) paid INV-1",
    ]);
    assert.deepEqual(await texts(page, "#invoices tbody td:nth-child(3)"), [
      "paid by mutation 1",
      "open",
      "open",
      "open",
    ]);

    // 4. Live feed on the server's Ledger: two orders opened at the first start, with unique amounts.
    const orders = () => texts(page, "#orders tbody td:nth-child(3)");
    assert.deepEqual(await texts(page, "#orders tbody td:nth-child(2)"), ["150001.00", "275001.00"]);
    assert.deepEqual(await orders(), ["open", "open"]);
    // The sandbox pays the oldest open order; its signed callback is applied by the server and arrives here.
    await page.getByRole("button", { name: "Pay the oldest open order" }).click();
    await page.waitForSelector("#feed li.matched", { timeout: 10_000 });
    const [, paidBy] =
      (await page.locator("#feed li").first().innerText()).match(
        /^MATCHED verified callback: mutation (\d{13}) \(150001\.00\) paid ORDER-1$/,
      ) ?? [];
    assert.ok(paidBy, await page.locator("#feed li").first().innerText());
    await page.waitForFunction(() => document.querySelector("#orders tbody td:nth-child(3)")?.textContent !== "open");
    assert.deepEqual(await orders(), [`paid by mutation ${paidBy}`, "open"]);
    // A transfer of a random amount pays nothing: it waits in panel 5 for a person.
    await page.getByRole("button", { name: "A transfer of a random amount" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#feed li").length === 2, null, { timeout: 10_000 });
    const [, stray, strayAmount] =
      (await page.locator("#feed li").first().innerText()).match(
        /^UNMATCHED verified callback: mutation (\d{13}) \((\d+\.00)\): no open order of exactly that amount$/,
      ) ?? [];
    assert.ok(stray, await page.locator("#feed li").first().innerText());
    await page.waitForSelector(`#unsettled-list li[data-mutation="${stray}"]`);
    assert.match(
      await page.locator("#unsettled-list li").first().innerText(),
      new RegExp(
        `^UNMATCHED mutation ${stray} \\(${strayAmount.replace(".", "\\.")}\\) — no open order of this amount`,
      ),
    );
    // An order of exactly that amount, then settled by hand: the credit pays it.
    await page.getByLabel("Order price").fill(strayAmount);
    await page.getByLabel("Exactly this amount (no unique code)").check();
    await page.getByRole("button", { name: "Open an order" }).click();
    await page.waitForSelector("#unsettled-list button:not([disabled])");
    assert.equal(await page.getByLabel(`Order that mutation ${stray} pays`).inputValue(), "ORDER-3");
    await page.getByRole("button", { name: "Settle" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#unsettled-list li").length === 0);
    assert.deepEqual(await orders(), [`paid by mutation ${paidBy}`, "open", `paid by mutation ${stray}`]);

    // The timer: with "Every 3 seconds" on, the sandbox pays the oldest open order (ORDER-2, 275001.00)
    // without a click; ORDER-4 has exactly the same amount, so the credit is ambiguous and pays nothing.
    await page.getByLabel("Order price").fill("275001.00");
    await page.getByRole("button", { name: "Open an order" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#orders tbody tr").length === 4);
    await page.getByLabel("Every 3 seconds").check();
    await page.waitForFunction(() => document.querySelectorAll("#feed li").length >= 3, null, { timeout: 10_000 });
    await page.getByLabel("Every 3 seconds").uncheck();
    // The first of the timer's transfers (the feed shows the newest first).
    const ambiguous = await page.evaluate(() => document.querySelector("#feed li:nth-last-child(3)").innerText);
    assert.match(
      ambiguous,
      /^AMBIGUOUS verified callback: mutation \d{13} \(275001\.00\) fits ORDER-2, ORDER-4: nothing paid, a person decides$/,
    );
    await page.waitForSelector("#unsettled-list li.ambiguous");
    assert.deepEqual((await orders()).slice(1), ["open", `paid by mutation ${stray}`, "open"]);
    const before = { orders: await orders(), unsettled: await texts(page, "#unsettled-list li") };

    // A restart of the demo (a new sandbox, new ports, the same SQLite file): nothing was lost.
    await stop();
    const [again] = await startDemo(t, db);
    await page.goto(again);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    assert.deepEqual(await orders(), before.orders);
    assert.deepEqual(await texts(page, "#unsettled-list li"), before.unsettled);
    // And settling the ambiguous credit after the restart: a person picks ORDER-4.
    const [, ambiguousId] = before.unsettled[0].match(/^AMBIGUOUS mutation (\d{13})/) ?? [];
    assert.ok(ambiguousId, before.unsettled[0]);
    // (Each tick of the timer made one such credit: the others stay, now fitting ORDER-2 alone.)
    await page.getByLabel(`Order that mutation ${ambiguousId} pays`).selectOption("ORDER-4");
    await page
      .locator(`#unsettled-list li[data-mutation="${ambiguousId}"]`)
      .getByRole("button", { name: "Settle" })
      .click();
    await page.waitForSelector(`#unsettled-list li[data-mutation="${ambiguousId}"]`, { state: "detached" });
    assert.equal(await page.locator("#unsettled-list li").count(), before.unsettled.length - 1);
    assert.deepEqual((await orders()).slice(1), [
      "open",
      `paid by mutation ${stray}`,
      `paid by mutation ${ambiguousId}`,
    ]);

    // Keyboard: from the report editor, Tab goes through the two signature fields to the button, and
    // Enter works it.
    await page.locator("#callback-body").fill(body.replace('"1400026.00"', '"1e3"'));
    const visited = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      visited.push(await page.evaluate(() => document.activeElement?.id));
    }
    assert.deepEqual(visited, ["callback-expected", "callback-received", "callback-verify"]);
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => document.querySelector("#callback-result mark")?.textContent === "invalid_payload",
    );
    assert.deepEqual(await texts(page, "#callback-result mark"), ["invalid_payload", "content.data[0].amount"]);
    // Every control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea, button")]
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.textContent.trim()))
        .map((el) => el.id || el.outerHTML),
    );
    assert.deepEqual(unnamed, []);
    await page.screenshot({ path: join(shots, `demo-${name}.png`), fullPage: true });
    assert.deepEqual(errors, []);
  });
}
