// Cloudflare Workers (workerd): the package as wrangler bundles it (conditions workerd, worker, browser).
import * as api from "cekmutasi";
import { smoke } from "./smoke.mjs";

export default {
  async fetch(request) {
    return Response.json(await smoke(api, await request.json()));
  },
};
