// The plain-page entry: the same API as the package root, usable after `await init()`.
export * from "./index";

import type * as api from "./index";

/**
 * Loads the WebAssembly module: with no argument it fetches `wasm/cekmutasi_bg.wasm` beside this file;
 * pass a URL, a `Response`, bytes or a compiled `WebAssembly.Module` to load it from elsewhere. Call once
 * before using the other exports; later calls resolve at once.
 */
export default function init(
  input?: URL | string | Request | Response | BufferSource | WebAssembly.Module,
): Promise<typeof api>;
