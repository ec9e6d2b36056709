// One source of truth per option set: the names each function reads (a Rust enum, whose reader has an arm
// for every name) must be the members its TypeScript type declares. The names the SDK reads come from its
// own answer to an unknown option; the declared ones from the package's .d.ts, through the TypeScript
// compiler's checker.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import * as cm from "cekmutasi";
import ts from "typescript";
import { SEED } from "./helpers.mjs";

const require = createRequire(import.meta.url);

/** The property names of each exported type of the package's declarations. */
function declared(names) {
  const entry = require.resolve("cekmutasi/package.json").replace(/package\.json$/, "index.d.ts");
  const program = ts.createProgram([entry], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)));
  return Object.fromEntries(
    names.map((name) => {
      let symbol = exports.find((e) => e.name === name);
      assert.ok(symbol, `${name} is not exported by the package's types`);
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      return [
        name,
        checker
          .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
          .map((p) => p.name)
          .sort(),
      ];
    }),
  );
}

/** The names a function reads, from its error for an unknown option. */
async function read(call) {
  try {
    await call({ __unknown: 1 });
  } catch (e) {
    assert.ok(e instanceof cm.CekMutasiError, String(e));
    const known = e.message.match(/unknown option \(known: (.*)\)$/);
    assert.ok(known, e.message);
    assert.equal(e.path, "options.__unknown");
    return known[1].split(", ").sort();
  }
  assert.fail("an unknown option was accepted");
}

const SETS = {
  ParseCallbackOptions: (o) => cm.parseCallback(SEED, o),
  ReceiveCallbackOptions: (o) =>
    cm.receiveCallback(new Request("http://127.0.0.1/", { method: "POST", body: SEED }), { signature: "s", ...o }),
  UniqueAmountOptions: (o) => cm.uniqueAmount("1000", [], o),
  MatchOptions: (o) => new cm.Matcher(o),
  ClientOptions: (o) => new cm.CekMutasi({ apiKey: "k", ...o }),
  BuildOptions: (o) => cm.buildRequest("myip", {}, { apiKey: "k", ...o }),
};

test("each option set: the names the SDK reads are the members its type declares", async () => {
  const types = declared(Object.keys(SETS));
  for (const [name, call] of Object.entries(SETS)) {
    assert.deepEqual(await read(call), types[name], name);
  }
  console.log(
    `option sets agree with their types: ${Object.entries(types)
      .map(([n, m]) => `${n} (${m.join(", ")})`)
      .join("; ")}`,
  );
});
