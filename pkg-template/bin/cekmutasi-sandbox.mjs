#!/usr/bin/env node
// npx cekmutasi-sandbox [--port 8787] [--api-key KEY] [--signature SIG]
// npx cekmutasi-sandbox trigger --url URL [--signature SIG] [--amount 50000] [--type credit] [--description TEXT]
import { postCallback, startSandbox, triggerRow } from "../sandbox.mjs";

const HELP = `cekmutasi-sandbox: a local sandbox of the CekMutasi API

  cekmutasi-sandbox [--port 8787] [--host 127.0.0.1] [--api-key KEY] [--signature SIG]
      Serves every endpoint on http://HOST:PORT/v1 with seeded accounts and mutations.
      Use its base URL and API key with the SDK: new CekMutasi({ apiKey, baseUrl }).
      Control endpoints (JSON bodies; not callable from web pages of other origins):
        POST /__sandbox/trigger    { url, signature?, amount?, type?, description? }  post a signed callback (http(s) URLs only)
        POST /__sandbox/mutations  { account_id?, amount?, type?, description? }      add a mutation (posted to the account's ipn_url)
        POST /__sandbox/faults     { count, status?, body?, delay?, reset? }          make the next calls fail (count up to 1000)
      Callbacks are posted once, never to a redirect's target, and wait at most 10 s for the receiver.

  cekmutasi-sandbox trigger --url URL [--signature SIG] [--amount 50000] [--type credit] [--description TEXT]
      Posts one signed payment_report to URL, as the service does, and prints the answer.
`;

function parse(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") out.help = true;
    else if (a.startsWith("--")) out[a.slice(2)] = argv[++i];
    else out._.push(a);
  }
  return out;
}

/** A mistake on the command line (exit 2) or a failure to do what it asks (exit 1): one line, no stack. */
function fail(message, code = 1) {
  process.stderr.write(`cekmutasi-sandbox: ${message}\n`);
  process.exit(code);
}

/** Why a callback could not be posted, in a few words. */
function reason(e) {
  if (e?.name === "TimeoutError") return "the receiver did not answer within 10 s";
  const code = e?.cause?.code ?? e?.code;
  if (code === "ECONNREFUSED") return "the connection was refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the name did not resolve";
  return typeof code === "string" ? code : String(e?.message ?? e);
}

const args = parse(process.argv.slice(2));
if (args.help) {
  process.stdout.write(HELP);
} else if (args._[0] === "trigger") {
  if (!args.url) fail("trigger needs --url URL (see --help)", 2);
  if (args.amount !== undefined && !/^\d{1,15}(\.\d{1,2})?$/.test(args.amount)) {
    fail(`--amount must be an amount such as 150003 or 150003.50, not ${JSON.stringify(args.amount)}`, 2);
  }
  if (args.id !== undefined && !/^[1-9]\d{0,14}$/.test(args.id)) {
    fail(`--id must be a positive whole number, not ${JSON.stringify(args.id)}`, 2);
  }
  const row = triggerRow({
    id: Number(args.id ?? Date.now()),
    unix_timestamp: Math.floor(Date.now() / 1000),
    type: args.type,
    amount: args.amount,
    description: args.description,
  });
  let answer;
  try {
    answer = await postCallback(args.url, { signature: args.signature ?? "sandbox-signature", rows: [row] });
  } catch (e) {
    fail(`could not post to ${args.url}: ${reason(e)}`);
  }
  process.stdout.write(
    `posted mutation ${row.id} (${row.type} ${row.amount}) to ${args.url}: HTTP ${answer.status} ${answer.body}\n`,
  );
  process.exit(answer.status >= 200 && answer.status < 300 ? 0 : 1);
} else if (args._.length > 0) {
  fail(`unknown command ${JSON.stringify(args._[0])} (see --help)`, 2);
} else {
  if (args.port !== undefined && !(/^\d{1,5}$/.test(args.port) && Number(args.port) <= 65535)) {
    fail(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(args.port)}`, 2);
  }
  const port = args.port === undefined ? 8787 : Number(args.port);
  let sandbox;
  try {
    sandbox = await startSandbox({ port, host: args.host, apiKey: args["api-key"], signature: args.signature });
  } catch (e) {
    fail(e?.code === "EADDRINUSE" ? `port ${port} is in use: choose another with --port` : reason(e));
  }
  process.stdout.write(
    `CekMutasi sandbox on ${sandbox.url}\nAPI key: ${sandbox.apiKey}\nCallback signature: ${sandbox.signature}\n`,
  );
}
