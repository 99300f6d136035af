// Pure formatting helpers (unit-tested in test/unit/ui-format.test.ts).

/** "12 s ago", "5 min ago", "3 h ago", "4 d ago" (or "in 5 min" for the future), from `iso` to `now`. */
export function relativeTime(iso: string, now: number): string {
  const diff = Math.round((now - Date.parse(iso)) / 1000);
  const span = compactDuration(Math.abs(diff));
  if (Math.abs(diff) < 1) return 'just now';
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

/** The largest unit that fits: "42 s", "5 min", "3 h", "12 d". */
export function compactDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Two units for precision: "1 h 5 min", "2 d 3 h", "45 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: [number, string][] = [[d, 'd'], [h, 'h'], [m, 'min'], [s % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0 s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n} ${u}`)
    .join(' ');
}

/** The absolute time in the viewer's zone, with the zone: "2026-11-23 14:05:09 UTC+1". */
export function absoluteTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  const f = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'short', timeZone,
  });
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** "512 B", "12.3 KiB", "850.0 MiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** "99.98 %" with at most two decimals and no trailing zeros. */
export function percent(n: number): string {
  return `${Number(n.toFixed(2))} %`;
}

/** Case-insensitive match of `q` against any of the fields (the fleet search). */
export function matches(q: string, fields: (string | null | undefined)[]): boolean {
  const needle = q.trim().toLowerCase();
  return needle === '' || fields.some((f) => f?.toLowerCase().includes(needle));
}
