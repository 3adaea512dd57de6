// What the executable answers without loading nlkit: VERSION and the about text. The runtime runs
// VERSION several times per pod, so this path imports nothing but the version table.
import { CURRENT_VERSION, SUPPORTED_VERSIONS } from "./version.js";

/** VERSION's answer: the input's cniVersion echoed (the current one when there is none), every version supported. */
export function versionReply(stdin: string): string {
  let asked = CURRENT_VERSION;
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    if (typeof v === "string" && v) asked = v;
  } catch {
    // VERSION ignores a configuration it cannot read, as libcni's skel does
  }
  return JSON.stringify({ cniVersion: asked, supportedVersions: SUPPORTED_VERSIONS }) + "\n";
}

export const NLKIT_CNI_VERSION = "0.1.0";

/** What a plugin prints on stderr when run without CNI_COMMAND (libcni's "about"). */
export function aboutText(name: string): string {
  return `CNI plugin ${name} (nlkit-cni ${NLKIT_CNI_VERSION})\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(", ")}\n`;
}
