/** Nothing to wait for in Node; present so code written for browsers runs unchanged. */
export function init(): Promise<void>;
export * from "./api.js";
