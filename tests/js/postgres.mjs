// A real PostgreSQL for the ledger's tests: Debian's (scripts/setup.sh postgres), a fresh cluster in a
// temporary directory, on 127.0.0.1 and a free port, stopped and removed at the end. initdb refuses to run
// as root: it runs as the `postgres` user (runuser) when the tests do.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./helpers.mjs";

export async function startPostgres() {
  const versions = readdirSync("/usr/lib/postgresql").sort();
  const bin = join("/usr/lib/postgresql", versions[versions.length - 1], "bin");
  const dir = mkdtempSync(join(tmpdir(), "cekmutasi-pg-"));
  chmodSync(dir, 0o777);
  const asPostgres = (cmd, args) =>
    process.getuid?.() === 0
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe" });
  const data = join(dir, "data");
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Not running (it failed to start, or was stopped): nothing to stop.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // Stopped whatever happens to the tests (a failure, a timeout ending the process): CI's machine is reused.
  process.once("exit", stop);
  try {
    asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  } catch (e) {
    stop();
    throw e;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
