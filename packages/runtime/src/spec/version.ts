// Which runtime-spec versions hull reads: 1.0.0 up to any 1.3.x, as the issue
// asks (the conformance suite writes 1.3.0). Versions are SemVer 2.0.0.

/** The spec version hull implements and writes. */
export const SPEC_VERSION = '1.3.0';
export const SPEC_VERSION_MIN = '1.0.0';
/** The newest minor hull reads; any patch or prerelease of it is accepted. */
export const SPEC_MAJOR = 1;
export const SPEC_MINOR_MAX = 3;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
  build?: string;
}

const SEMVER =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseSemVer(s: string): SemVer | undefined {
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  const v: SemVer = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  if (m[4] !== undefined) v.prerelease = m[4];
  if (m[5] !== undefined) v.build = m[5];
  return v;
}

/**
 * True for 1.0.0 <= v < 1.4.0-0 in SemVer precedence: "1.0.2-dev" and "1.3.1" are in,
 * "1.0.0-rc5" (before 1.0.0), "1.4.0" and "2.0.0" are out.
 */
export function isSupportedVersion(v: SemVer): boolean {
  if (v.major !== SPEC_MAJOR || v.minor > SPEC_MINOR_MAX) return false;
  return !(v.minor === 0 && v.patch === 0 && v.prerelease !== undefined);
}
