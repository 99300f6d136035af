import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { errorRegistry, type ErrorType } from '../../src/errors.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1]!);
const registered = Object.keys(errorRegistry);

// Types whose status is fixed; the others only need a 4xx.
const statusOfType: Partial<Record<ErrorType, number>> = {
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
};

describe('error registry and docs/errors.md', () => {
  it('documents every registry code under a "## <code>" heading', () => {
    expect(registered.filter((code) => !documented.includes(code))).toEqual([]);
  });

  it('documents no code the registry lacks', () => {
    expect(documented.filter((code) => !registered.includes(code))).toEqual([]);
  });

  it('documents each code once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('states the HTTP status and type of each code in its section', () => {
    for (const [code, spec] of Object.entries(errorRegistry)) {
      const section = docs.split(/^## /m).find((s) => s.startsWith(`${code}\n`)) ?? '';
      expect(section, code).toContain(`**HTTP status:** ${spec.status}`);
      expect(section, code).toContain(`**Type:** \`${spec.type}\``);
    }
  });

  it('gives every code an error status consistent with its type', () => {
    for (const [code, spec] of Object.entries(errorRegistry)) {
      const expected = statusOfType[spec.type];
      if (expected !== undefined) expect(spec.status, code).toBe(expected);
      else if (spec.type === 'api_error') expect(spec.status >= 500 && spec.status < 600, code).toBe(true);
      else expect(spec.status >= 400 && spec.status < 500, code).toBe(true);
    }
  });

  it('uses snake_case codes that are safe as URL fragments', () => {
    for (const code of registered) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
