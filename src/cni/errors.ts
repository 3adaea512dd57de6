// CNI error objects: SPEC section "Error" codes, and the shape a plugin prints on stdout.

/** The spec's well-known codes (0-99 are reserved), plus the reference plugins' 999 for "internal". */
export const CNI_ERR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidConfig: 7,
  invalidNetns: 8,
  tryAgainLater: 11,
  pluginNotAvailable: 50,
  limitedConnectivity: 51,
  internal: 999,
} as const;

/** A failure a CNI runtime should see: `code`, `msg` and `details` go into the error JSON. */
export class CniError extends Error {
  override readonly name = "CniError";
  constructor(readonly code: number, msg: string, readonly details = "", options?: { cause?: unknown }) {
    super(msg, options);
  }

  /** The object printed on stdout: `{cniVersion, code, msg, details}`. */
  toJSON(cniVersion = "1.1.0"): { cniVersion: string; code: number; msg: string; details: string } {
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
