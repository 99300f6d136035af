// RouterOS version strings as `/system resource get version` reports them: `7.16.2 (stable)`,
// `6.49.10 (long-term)`, `7.17beta2 (testing)`.

export interface RouterOsVersion {
  major: number;
  minor: number;
  patch: number;
}

const VERSION_RE = /^\s*(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?/;

/** The numeric part of a RouterOS version string, or null if it has none. */
export function parseRouterOsVersion(text: string): RouterOsVersion | null {
  const m = VERSION_RE.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** True if `v` is at least major.minor. */
export function atLeast(v: RouterOsVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * The script dialect tikops writes for a router: `v7` uses `:onerror` (7.15+) to log error
 * texts; `v6` is the v6.43+ subset every later version also accepts.
 */
export type ScriptDialect = 'v6' | 'v7';

export function dialectOf(v: RouterOsVersion): ScriptDialect {
  return atLeast(v, 7, 15) ? 'v7' : 'v6';
}

/** Oldest RouterOS the agent supports: `/tool fetch output=user as-value` needs 6.43. */
export const MIN_VERSION = { major: 6, minor: 43 } as const;

/** Major version of a reported version string, or null (a site never seen, or unparsable). */
export function majorOf(text: string | null | undefined): number | null {
  return text ? (parseRouterOsVersion(text)?.major ?? null) : null;
}

/** The largest wrapper a router of this major version can take (unknown: v7's). */
export function wrapperLimitFor(major: number | null, limits: { wrapperLimitBytes: number; v6WrapperLimitBytes: number }): number {
  return major !== null && major < 7 ? limits.v6WrapperLimitBytes : limits.wrapperLimitBytes;
}
