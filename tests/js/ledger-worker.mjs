// One "instance" of a merchant's app for the ledger's tests: opens the store named on the command line and
// runs one job, printing its results as JSON. Several run at once (concurrency), or one is killed mid-way
// (crash). Usage: node ledger-worker.mjs '{"store":"sqlite"|"node-sqlite"|"pg","target":…,"job":…}'
// The package: the installed tarball, or another build named by CEKMUTASI_MODULE (the benchmarks: pkg/).
const { Ledger } = await import(process.env.CEKMUTASI_MODULE ?? "cekmutasi");

const { store, target, job, at, ids, price, rows, each } = JSON.parse(process.argv[2]);

async function open() {
  if (store === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    return [new Database(target, { timeout: 20_000 }), (db) => db.close()];
  }
  if (store === "node-sqlite") {
    const { DatabaseSync } = await import("node:sqlite");
    return [new DatabaseSync(target, { timeout: 20_000 }), (db) => db.close()];
  }
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: target, max: 2 });
  return [pool, (p) => p.end()];
}

const [db, close] = await open();
const ledger = await Ledger.open(db);
process.stderr.write("ready\n"); // for a test that kills it mid-way
// Everyone starts at the same instant.
if (at) await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
let out;
if (job === "open") {
  out = [];
  for (const id of ids) out.push((await ledger.openInvoice({ id, price })).amount);
} else if (job === "apply") {
  if (each) {
    out = [];
    for (const row of rows) {
      out.push(...(await ledger.apply([row])));
      process.stdout.write(""); // a point where a kill can land between rows
    }
  } else {
    out = await ledger.apply(rows);
  }
}
await close(db);
process.stdout.write(JSON.stringify(out));
