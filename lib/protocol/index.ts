/**
 * The wire contract of docs/protocol.md: zod schemas and inferred types shared by client and server.
 * Imports only zod; does no I/O. `openapi.ts` is deliberately not re-exported: the browser imports
 * this barrel, and the OpenAPI generator belongs only to its route.
 */
export * from "./admin";
export * from "./auth";
export * from "./codes";
export * from "./conflicts";
export * from "./dashboard";
export * from "./errors";
export * from "./media";
export * from "./primitives";
export * from "./pull";
export * from "./push";
export * from "./records";
export * from "./text";
export * from "./version";
