// Deno (and Supabase Edge Functions): the package from node_modules, with no permission but the network
// (loading it reads no file: the "deno" condition picks the entry with the .wasm inlined).
import * as api from "cekmutasi";
import { smoke } from "./smoke.mjs";

console.log(JSON.stringify(await smoke(api, JSON.parse(Deno.args[0]))));
