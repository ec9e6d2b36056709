// Browsers through a bundler (Vite, esbuild): the package as the bundler resolves it ("browser").
import * as api from "cekmutasi";
import { smoke } from "./smoke.mjs";

const env = JSON.parse(new URLSearchParams(location.search).get("env"));
smoke(api, env).then(
  (result) => (window.__smoke = result),
  (e) => (window.__smoke = { failed: String(e?.stack ?? e) }),
);
