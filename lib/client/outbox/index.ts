export * from "./complete-batch";
export * from "./local-writes";
export * from "./next-batch";
export * from "./parked";
export * from "./priority";
export { rebuildRecord, recordFields, type ServerState } from "./rebuild-record";
