// Node, ESM: `import` of the package.
import * as api from "cekmutasi";
import { smoke } from "./smoke.mjs";

console.log(JSON.stringify(await smoke(api, JSON.parse(process.argv[2]))));
