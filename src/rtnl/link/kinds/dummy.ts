import { defineKind } from "./kind.js";

/** dummy: no IFLA_INFO_DATA. */
export const dummy = defineKind({ kind: "dummy" });
