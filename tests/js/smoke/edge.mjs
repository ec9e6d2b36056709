// Vercel Edge (edge-runtime): the package as Vercel bundles it (condition edge-light, `.wasm?module`).
import * as api from "cekmutasi";
import { smoke } from "./smoke.mjs";

addEventListener("fetch", (event) => {
  event.respondWith(
    event.request
      .json()
      .then((env) => smoke(api, env))
      .then((result) => Response.json(result)),
  );
});
