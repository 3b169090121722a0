/**
 * Pure shared domain logic (no I/O): forms per assessment type, record field lists,
 * three-way merge and conflict policies. Used by the server when it decides and by the client
 * when it renders and previews.
 */
export * from "./forms";
export * from "./labels";
export * from "./merge";
export * from "./records";
export * from "./verification";
