// The Ledger's longer crash run: a process applying a report is killed with SIGKILL at a random moment,
// KILLS times (default 84: with the 16 of `make test` that is 100 points in all), on SQLite files and a real
// Postgres alternately, the report applied row by row or whole (three rounds of 100 rows); after each kill a fresh process applies the whole report again, and the tables must
// show nothing paid twice, nothing lost, and what was committed coming back replayed (tests/js/
// ledger-stores.mjs, the same round the tests run). Prints how many kills landed mid-way.
//
//   node benches/ledger-crash.mjs      (make bench runs it after make build)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/index.mjs", import.meta.url));
process.env.CEKMUTASI_MODULE = pkg; // the workers load the built package, as this process does
const { Ledger } = await import(pkg);
const { ledgerStores } = await import("../tests/js/ledger-stores.mjs");
const { startPostgres } = await import("../tests/js/postgres.mjs");

const KILLS = Number(process.env.KILLS ?? 84);
const postgres = await startPostgres();
const dir = mkdtempSync(join(tmpdir(), "cekmutasi-crash-"));
try {
  const stores = ledgerStores({ postgresUrl: postgres.url, dir, Ledger });
  // Row by row (one apply per row) and whole (one apply of 300 rows: three rounds of 100), on each store.
  const ways = [
    ["sqlite", false],
    ["pg", false],
    ["sqlite", true],
    ["pg", true],
  ];
  const seen = Object.fromEntries(
    ways.map(([k, w]) => [`${k} ${w ? "whole" : "row by row"}`, { kills: 0, midway: 0, replayed: 0 }]),
  );
  const t = Date.now();
  for (let k = 0; k < KILLS; k++) {
    const [kind, whole] = ways[k % ways.length];
    const { decidedBefore, rows } = await stores.crashRound(kind, { whole }); // asserts the invariants itself
    const s = seen[`${kind} ${whole ? "whole" : "row by row"}`];
    s.kills += 1;
    s.replayed += decidedBefore;
    if (decidedBefore > 0 && decidedBefore < rows) s.midway += 1;
  }
  console.log(`ledger crash run: ${KILLS} kills in ${((Date.now() - t) / 1000).toFixed(0)} s, every one recovered`);
  console.log(
    "| store, report | kills | mid-way (some rows decided, not all) | rows decided before a kill, replayed after |",
  );
  console.log("|---|---:|---:|---:|");
  for (const [kind, s] of Object.entries(seen)) console.log(`| ${kind} | ${s.kills} | ${s.midway} | ${s.replayed} |`);
} finally {
  postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
