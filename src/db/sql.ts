import { createHash } from 'node:crypto';
import pg from 'pg';
import sqlTag, { empty, join, raw, type Sql as Statement } from 'sql-template-tag';

// Hand-written SQL over node-postgres, for the statements on hot paths (every job transition, the
// job lookups of the API). Prisma shares the same pool and stays the schema's source and the
// client for simple CRUD; its query engine costs ~0.3–1.5 ms of CPU per call (measured: bench/
// numbers in the README), which the poll and create paths cannot afford.

export { empty, join, raw };
export type { Statement };
/** Tagged template: sql`SELECT … WHERE id = ${id}` → a parameterised statement (never string-built). */
export const sql = sqlTag;

export interface SqlClient {
  /** Rows of `statement`, typed by the caller (column aliases must match `T`). */
  rows<T>(statement: Statement): Promise<T[]>;
  /** The first row, or null. */
  one<T>(statement: Statement): Promise<T | null>;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** int8 columns (bigserial ids, counts) as bigint, not strings; everything else as node-postgres does. */
const int8 = (v: string): bigint => BigInt(v);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 ? int8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The process's one PostgreSQL pool. An idle connection the server drops (a restart, a failover)
 * is reported to `onError` instead of crashing the process; the pool replaces it.
 */
export function createPool(
  opts: { databaseUrl: string; databasePoolSize: number },
  onError: (err: Error) => void = () => undefined,
): pg.Pool {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.databasePoolSize, types });
  pool.on('error', onError);
  return pool;
}

/**
 * Every statement runs as a named prepared statement (its name derived from its text), so each
 * connection parses and plans it once and later calls send only the parameters.
 */
const names = new Map<string, string>();
function prepared(s: Statement): pg.QueryConfig {
  let name = names.get(s.text);
  if (name === undefined) {
    name = `tk_${createHash('sha1').update(s.text).digest('hex').slice(0, 16)}`;
    if (names.size < 10_000) names.set(s.text, name);
  }
  return { name, text: s.text, values: s.values };
}

function over(q: { query: pg.PoolClient['query'] }): Omit<SqlClient, 'transaction'> {
  const rows = async <T>(s: Statement): Promise<T[]> => (await q.query(prepared(s))).rows as T[];
  return { rows, one: async <T>(s: Statement) => (await rows<T>(s))[0] ?? null };
}

/** An error the server sent (it has a SQLSTATE): the connection is fine and goes back to the pool. */
const isServerError = (err: unknown): boolean => typeof (err as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code);

/**
 * pool.query would destroy the connection on any error, so a unique violation (an idempotent
 * replay) cost a reconnect (measured: job creation at ~130/s); this keeps it unless the
 * connection itself failed.
 */
async function pooled<T>(pool: pg.Pool, s: Statement): Promise<T[]> {
  const conn = await pool.connect();
  try {
    const rows = (await conn.query(prepared(s))).rows as T[];
    conn.release();
    return rows;
  } catch (err) {
    conn.release(isServerError(err) ? undefined : (err as Error));
    throw err;
  }
}

export function createSqlClient(pool: pg.Pool): SqlClient {
  const rows = <T>(s: Statement): Promise<T[]> => pooled<T>(pool, s);
  return {
    rows,
    one: async <T>(s: Statement) => (await rows<T>(s))[0] ?? null,
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const tx: SqlClient = { ...over(conn), transaction: (inner) => inner(tx) };
        const result = await fn(tx);
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
  };
}
