import { defineKind } from "./kind.js";

/** wireguard: created with no IFLA_INFO_DATA; keys and peers are configured over genetlink. */
export const wireguard = defineKind({ kind: "wireguard" });
