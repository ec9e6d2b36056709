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

const args = parse(process.argv.slice(2));
if (args.help) {
  process.stdout.write(HELP);
} else if (args._[0] === "trigger") {
  if (!args.url) {
    process.stderr.write("trigger needs --url\n");
    process.exit(2);
  }
  const row = triggerRow({
    id: Number(args.id ?? Date.now() % 1e9),
    unix_timestamp: Math.floor(Date.now() / 1000),
    type: args.type,
    amount: args.amount,
    description: args.description,
  });
  const answer = await postCallback(args.url, { signature: args.signature ?? "sandbox-signature", rows: [row] });
  process.stdout.write(
    `posted mutation ${row.id} (${row.type} ${row.amount}) to ${args.url}: HTTP ${answer.status} ${answer.body}\n`,
  );
  process.exit(answer.status >= 200 && answer.status < 300 ? 0 : 1);
} else {
  const sandbox = await startSandbox({
    port: args.port === undefined ? 8787 : Number(args.port),
    host: args.host,
    apiKey: args["api-key"],
    signature: args.signature,
  });
  process.stdout.write(
    `CekMutasi sandbox on ${sandbox.url}\nAPI key: ${sandbox.apiKey}\nCallback signature: ${sandbox.signature}\n`,
  );
}
