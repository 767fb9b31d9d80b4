/** Raw libc bindings: the symbol table, typed wrappers, errno and constants. Only agent/os/ imports this. */
export * from "./arch.ts";
export * as C from "./constants.ts";
export * from "./errno.ts";
export { cstr, errno, libc, LIBC_SYMBOLS } from "./libc.ts";
export type { Libc } from "./libc.ts";
export * from "./sys.ts";
