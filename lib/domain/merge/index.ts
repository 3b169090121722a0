export * from "./decide-policy";
export * from "./deep-equal";
export * from "./paths";
export * from "./plan-resolution";
export * from "./resolve-with-strategy";
export * from "./three-way-merge";
