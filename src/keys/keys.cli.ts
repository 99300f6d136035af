import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SCOPES, type Scope } from '../http/auth.js';
import type { KeyDeps } from './keys.service.js';

export type { KeyDeps };
import * as keys from './keys.service.js';

// `npm run tikops -- keys …` (scripts/tikops.ts): the operator's way in before any key exists.
// It writes to PostgreSQL directly, as the actor `cli`, with an audit event like the API's.

export const KEYS_HELP = `Usage: npm run tikops -- keys <command> [options]

Commands:
  create --org ORG --name NAME --scopes all|SCOPE,… [--expires-at ISO-8601] [--quiet | --json]
      Creates an API key and prints its secret (shown only now). --scopes all grants every scope:
      ${SCOPES.join(', ')}.
      --quiet prints only the secret, e.g. KEY=$(npm run --silent tikops -- keys create … --quiet)
  list --org ORG [--json]
      The organisation's keys: id, name, prefix, scopes, last use, revocation.
  revoke --org ORG --id KEY_ID
      Revokes a key at once.

The database is DATABASE_URL (see .env.example); it is created and migrated first if needed.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

function parseScopes(raw: string): Scope[] {
  if (raw === 'all') return [...SCOPES];
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.find((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown !== undefined || list.length === 0) throw new UsageError(`unknown scope '${unknown ?? ''}' (known: all, ${SCOPES.join(', ')})`);
  return [...new Set(list)] as Scope[];
}

/** Runs `keys <command> …`; the exit code (0 ok, 1 failure, 2 usage). */
export async function runKeysCli(argv: string[], deps: () => Promise<KeyDeps & { close(): Promise<void> }>, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        'expires-at': { type: 'string' },
        id: { type: 'string' },
        quiet: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${KEYS_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    io.out(KEYS_HELP);
    return values.help || command === 'help' ? 0 : 2;
  }
  try {
    const by = { org: required(values, 'org'), actor: 'cli', requestId: `cli-${randomUUID()}`, source: null, scopes: 'all' as const };
    const run = async (fn: (d: KeyDeps) => Promise<void>): Promise<void> => {
      const d = await deps();
      try {
        await fn(d);
      } finally {
        await d.close();
      }
    };
    switch (command) {
      case 'create': {
        const input = { name: required(values, 'name'), scopes: parseScopes(required(values, 'scopes')), expires_at: values['expires-at'] ?? null };
        if (input.expires_at !== null && Number.isNaN(Date.parse(input.expires_at))) throw new UsageError('--expires-at must be an ISO-8601 time');
        await run(async (d) => {
          const key = await keys.createKey(d, by, input);
          if (values.quiet) io.out(key.secret);
          else if (values.json) io.out(JSON.stringify(key));
          else io.out(`API key ${key.id} "${key.name}" for ${by.org}, scopes: ${key.scopes.join(' ')}\n\n  ${key.secret}\n\nStore it now: it is not shown again. Send it as "Authorization: Bearer <key>".`);
        });
        return 0;
      }
      case 'list':
        await run(async (d) => {
          const list = await keys.listKeys(d, by.org);
          if (values.json) io.out(JSON.stringify(list));
          else for (const k of list) io.out(`${k.id}  ${k.prefix}…  ${k.name}  [${k.scopes.join(' ')}]  last used ${k.last_used_at ?? 'never'}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`);
        });
        return 0;
      case 'revoke': {
        const id = required(values, 'id');
        await run(async (d) => {
          const key = await keys.revokeKey(d, by, id);
          io.out(`revoked ${key.id} "${key.name}" at ${key.revoked_at ?? ''}`);
        });
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${KEYS_HELP}`);
      return 2;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}
