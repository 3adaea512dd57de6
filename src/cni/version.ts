// CNI spec versions. Kept free of imports: the VERSION command loads only this and the shell.

/**
 * Every spec version nlkit-cni reads configurations in and writes results for.
 *
 * @example
 * ```ts
 * const conf = parseNetConf({ cniVersion: "0.4.0", name: "lab", type: "loopback" });
 * if (!SUPPORTED_VERSIONS.includes(conf.cniVersion)) {
 *   throw new CniError(CNI_ERR.incompatibleVersion, "incompatible CNI versions", `config is "${conf.cniVersion}"`);
 * }
 * // VERSION's answer
 * console.log(JSON.stringify({ cniVersion: conf.cniVersion, supportedVersions: SUPPORTED_VERSIONS }));
 * ```
 */
export const SUPPORTED_VERSIONS: readonly string[] = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];
/**
 * The version of results built internally (the newest).
 *
 * @example
 * ```ts
 * const result = await loopbackUp("/run/netns/ctr1");
 * console.log(result.cniVersion === CURRENT_VERSION); // true: results are built in the newest version
 * console.log(printResult(result, "0.4.0"));          // and printed in the one a request asks for
 * ```
 */
export const CURRENT_VERSION = "1.1.0";

/** [major, minor, micro], or undefined for text that is not a version ("1", "1.0" are accepted, as libcni does). */
export function parseVersion(v: unknown): [number, number, number] | undefined {
  if (typeof v !== "string" || v === "") return undefined;
  const parts = v.split(".");
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const [a = 0, b = 0, c = 0] = parts.map(Number);
  return [a, b, c];
}

/** a >= b; undefined when either is not a version. */
export function versionAtLeast(a: string, b: string): boolean | undefined {
  const x = parseVersion(a), y = parseVersion(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return true;
}

/** How Go's %q prints a []string, as libcni's version error details do: ["0.1.0" "0.2.0"]. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;
}
