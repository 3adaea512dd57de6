// A caller's value inside an error message: whatever it is (an object without a prototype, a
// BigInt, a cycle), naming it must not throw in place of the NlkitInputError being built.
export function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "undefined") return String(v);
  if (typeof v === "bigint") return `${v}n`;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? typeof v;
  } catch {
    return Array.isArray(v) ? "an array" : typeof v;
  }
}
