export * from "./durability";
export * from "./machine";
export * from "./pull-apply";
export * from "./retry-policy";
export * from "./sync-client";
export * from "./sync-lock";
export * from "./transport";
