export * from "./node/cekmutasi";
export { CekMutasiError, CekMutasiErrorCode } from "./error";
