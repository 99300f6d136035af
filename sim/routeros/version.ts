// Which RouterOS version has which feature. Each entry says where that comes from: a MikroTik
// help page (help.mikrotik.com/docs/spaces/ROS/pages/<id>), an observation in public code, or a
// belief. Where the evidence is thin the simulator takes the stricter side.

export interface Version {
  readonly major: number;
  readonly minor: number;
}

const VERSION_RE = /^\s*(\d{1,3})\.(\d{1,3})/;

/** `7.16.2 (stable)` → 7.16; unparsable text counts as 7.0. */
export function parseVersion(text: string): Version {
  const m = VERSION_RE.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : { major: 7, minor: 0 };
}

/** The version a run sees: a v6 run on a v7 state (RunOptions.v6) counts as 6.49. */
export function effectiveVersion(version: string, v6: boolean): Version {
  const v = parseVersion(version);
  return v6 && v.major >= 7 ? { major: 6, minor: 49 } : v;
}

export function atLeast(v: Version, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export type Feature =
  /** `:onerror` (believed 7.15; tikops' dialect choice in src/routeros/version.ts; v6 has none). */
  | 'onerror'
  /** `:convert`, `:jobname`, `:timestamp`, `:tonsec`, `:execute … as-string`, `/export show-sensitive` (Scripting 47579229, Configuration Management 328155: v7). */
  | 'v7'
  /** `/file read` (observed: eworm routeros-scripts needs 7.13 for it). */
  | 'file-read'
  /** Catchable `/import` errors (Scripting 47579229, "Starting from 7.16.x"). */
  | 'import-catch'
  /** `/certificate settings builtin-trust-anchors` (Certificates 2555969: 7.19beta2). */
  | 'trust-anchors'
  /** `/certificate settings builtin-trust-store` (observed: ansible community.routeros changelog, >= 7.21). */
  | 'trust-store'
  /** `/system device-mode` (believed: every v7; Device-mode 93749258 presets from 7.17). */
  | 'device-mode'
  /** ISO dates (`2025-01-01`) in clock and export (believed 7.10; routeros.md §4.3). */
  | 'iso-date';

const SINCE: Readonly<Record<Feature, readonly [number, number]>> = {
  onerror: [7, 15],
  v7: [7, 0],
  'file-read': [7, 13],
  'import-catch': [7, 16],
  'trust-anchors': [7, 19],
  'trust-store': [7, 21],
  'device-mode': [7, 0],
  'iso-date': [7, 10],
};

export function has(v: Version, f: Feature): boolean {
  const [major, minor] = SINCE[f];
  return atLeast(v, major, minor);
}
