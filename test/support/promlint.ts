// A port of the checks `promtool check metrics` runs (Prometheus' text-format parser plus
// client_golang's promlint, github.com/prometheus/client_golang/prometheus/testutil/promlint),
// so the exposition can be checked without the Go toolchain. Returns one line per problem.

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/;
// promlint's units table: a non-base unit in a name (`_milliseconds`) should be the base unit.
const NON_BASE_UNITS: Record<string, string> = {
  nanoseconds: 'seconds',
  microseconds: 'seconds',
  milliseconds: 'seconds',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kilobytes: 'bytes',
  megabytes: 'bytes',
  gigabytes: 'bytes',
  kibibytes: 'bytes',
  mebibytes: 'bytes',
  gibibytes: 'bytes',
  percent: 'ratio',
  celsius: 'celsius is fine, but prefer a ratio or base unit',
};
// promlint's unitAbbreviations (validations/units.go).
const ABBREVIATIONS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);
const TYPE_WORDS = new Set(['counter', 'gauge', 'histogram', 'summary']);

interface Family {
  type?: string;
  help?: string;
  samples: number;
  labels: Set<string>;
}

/** Splits `a="x",b="y"` into label names, or null when malformed. */
function labelNames(body: string): string[] | null {
  const names: string[] = [];
  let rest = body;
  while (rest.length > 0) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")(,|$)/.exec(rest);
    if (!m || !LABEL.test(m[1]!)) return null;
    names.push(LABEL.exec(m[1]!)![1]!);
    rest = rest.slice(m[0].length);
  }
  return names;
}

/** The family a sample belongs to, given the families declared so far. */
function familyOf(name: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const t = families.get(base)?.type;
      if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base;
    }
  }
  return name;
}

export function promlint(text: string): string[] {
  const problems: string[] = [];
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: string | null = null;
  const open = (name: string): Family => {
    if (current !== name) {
      if (current) closed.add(current);
      if (closed.has(name)) problems.push(`${name}: samples or metadata of one family are not contiguous (duplicate family)`);
      current = name;
    }
    let f = families.get(name);
    if (!f) families.set(name, (f = { samples: 0, labels: new Set() }));
    return f;
  };
  if (!text.endsWith('\n')) problems.push('exposition does not end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name!)) problems.push(`${name}: invalid metric name`);
      const f = open(name!);
      if (kind === 'HELP') {
        if (f.help !== undefined) problems.push(`${name}: second HELP line`);
        f.help = rest;
      } else {
        if (f.type !== undefined) problems.push(`${name}: second TYPE line`);
        if (f.samples > 0) problems.push(`${name}: TYPE after its samples`);
        if (!TYPES.has(rest)) problems.push(`${name}: unknown type "${rest}"`);
        f.type = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) {
      problems.push(`unparsable line: ${line}`);
      continue;
    }
    const [, name, , labels = '', value] = m;
    // Go's strconv.ParseFloat: Inf and NaN in any letter case.
    if (!/^([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?inf(inity)?|nan)$/i.test(value!)) problems.push(`${name}: invalid value ${value}`);
    const names = labelNames(labels);
    if (names === null) problems.push(`${name}: malformed labels {${labels}}`);
    else if (new Set(names).size !== names.length) problems.push(`${name}: duplicate label name`);
    const fam = familyOf(name!, families);
    const f = open(fam);
    f.samples++;
    for (const l of names ?? []) f.labels.add(l);
  }

  for (const [name, f] of families) {
    if (!f.help) problems.push(`${name}: no help text`);
    if (!f.type) problems.push(`${name}: no TYPE line`);
    if (f.type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter metrics should have "_total" suffix`);
    if (f.type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: non-counter metrics should not have "_total" suffix`);
    if (f.type !== 'histogram' && f.type !== 'summary' && /_(count|sum|bucket)$/.test(name)) {
      problems.push(`${name}: non-histogram and non-summary metrics should not have "_count", "_sum" or "_bucket" suffixes`);
    }
    if (f.type !== 'histogram' && f.labels.has('le')) problems.push(`${name}: non-histogram metrics should not have "le" label`);
    if (f.type !== 'summary' && f.labels.has('quantile')) problems.push(`${name}: non-summary metrics should not have "quantile" label`);
    if (name.includes(':')) problems.push(`${name}: metric names should not contain ":"`);
    if (/[A-Z]/.test(name)) problems.push(`${name}: metric names should be written in 'snake_case' not 'camelCase'`);
    for (const l of f.labels) if (/[A-Z]/.test(l)) problems.push(`${name}: label names should be written in 'snake_case' not 'camelCase'`);
    const tokens = name.split('_');
    for (const t of tokens) {
      if (NON_BASE_UNITS[t]) problems.push(`${name}: use base unit "${NON_BASE_UNITS[t]}" instead of "${t}"`);
      if (ABBREVIATIONS.has(t)) problems.push(`${name}: metric names should not contain abbreviated units`);
      if (TYPE_WORDS.has(t)) problems.push(`${name}: metric name should not include type '${t}'`);
    }
  }
  return problems;
}
