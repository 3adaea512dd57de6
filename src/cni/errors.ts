// CNI error objects: SPEC section "Error" codes, and the shape a plugin prints on stdout.

/**
 * The spec's well-known codes (0-99 are reserved), plus the reference plugins' 999 for "internal".
 *
 * @example
 * ```ts
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24" } });
 * try {
 *   hostLocal.status("lab", cfg);
 * } catch (e) {
 *   if (!(e instanceof CniError) || e.code !== CNI_ERR.pluginNotAvailable) throw e;
 *   console.log("10.22.0.0/24 is exhausted:", e.message);
 * }
 * ```
 */
export const CNI_ERR = {
  /** The configuration's cniVersion is not supported. */
  incompatibleVersion: 1,
  /** A configuration field is not supported; `details` names it. */
  unsupportedField: 2,
  /** The container does not exist or is unknown. */
  unknownContainer: 3,
  /** A required CNI_* environment variable is missing or invalid. */
  invalidEnvironment: 4,
  /** Reading stdin or writing stdout failed. */
  ioFailure: 5,
  /** The configuration or a result could not be parsed. */
  decodingFailure: 6,
  /** The configuration is well-formed but wrong. */
  invalidConfig: 7,
  /** The network namespace path is not a usable namespace. */
  invalidNetns: 8,
  /** A transient failure (a lock held too long): the runtime may retry. */
  tryAgainLater: 11,
  /** STATUS: the plugin cannot serve ADD now. */
  pluginNotAvailable: 50,
  /** STATUS: the plugin works but the network is degraded. */
  limitedConnectivity: 51,
  /** Anything else (nlkit's own failures). */
  internal: 999,
} as const;

/**
 * A failure a CNI runtime should see: `code`, `msg` and `details` go into the error JSON.
 *
 * @example
 * ```ts
 * try {
 *   parseCniArgs("IgnoreUnknown=1;K8S_POD_NAME");
 * } catch (e) {
 *   if (!(e instanceof CniError)) throw e;
 *   console.log(e.code, e.message); // 4 CNI_ARGS: invalid pair "K8S_POD_NAME"
 *   // what a plugin prints on stdout before it exits with status 1
 *   console.log(JSON.stringify(e.toJSON("1.0.0"), null, 4));
 * }
 * ```
 */
export class CniError extends Error {
  /** "CniError", as stack traces and `util.inspect` name the error. */
  override readonly name = "CniError";
  constructor(
    /** The spec's error code (one of `CNI_ERR`: 1-99 well-known, 100 and up plugin-specific, 999 internal). */
    readonly code: number,
    msg: string,
    /** The error JSON's `details`: what the code applies to, e.g. the unsupported field; "" when none. */
    readonly details = "",
    options?: { cause?: unknown },
  ) {
    super(msg, options);
  }

  /** The object printed on stdout: `{cniVersion, code, msg, details}`. */
  toJSON(cniVersion = "1.1.0"): {
    /** The version the error is reported in: the configuration's when it was read. */
    cniVersion: string;
    /** The error code, as `code`. */
    code: number;
    /** The short message, the error's `message`. */
    msg: string;
    /** The longer explanation, as `details` ("" when none). */
    details: string;
  } {
    return { cniVersion, code: this.code, msg: this.message, details: this.details };
  }
}

/** Any thrown value as a CniError: CniErrors pass through, everything else is code 999 with its message. */
export function asCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof Error) return new CniError(CNI_ERR.internal, e.message, "", { cause: e });
  return new CniError(CNI_ERR.internal, String(e));
}

export const invalidConfig = (msg: string, details = ""): CniError => new CniError(CNI_ERR.invalidConfig, msg, details);
