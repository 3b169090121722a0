export * from "./default-db";
export * from "./field-sync-db";
export * from "./queries";
export * from "./types";
