import { readFileSync } from 'node:fs';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.js';

// The hand-written migrations (prisma/migrations) and schema.prisma must describe the same
// database. The datamodel is read with Prisma's own schema parser (the WebAssembly build
// `prisma generate` uses; the generated client keeps only column names at run time), the database
// from a freshly migrated copy's catalog, and the two are compared table by table: columns,
// types, nullability, enums and indexes. A migration without its schema change, or the reverse,
// fails here. A partitioned table (site_sample) counts as its parent: Prisma does not model
// partitions, which carry the parent's columns and indexes anyway.

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  isRequired: boolean;
  isList: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName?: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  algorithm?: string;
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: readFileSync('prisma/schema.prisma', 'utf8') }))) as Dmmf;
const models = dmmf.datamodel.models;
const tableOf = (m: DmmfModel): string => m.dbName ?? m.name;
const columnOf = (f: DmmfField): string => f.dbName ?? f.name;
const enumDbName = (name: string): string => dmmf.datamodel.enums.find((e) => e.name === name)?.dbName ?? name;

/** The PostgreSQL type Prisma's migrations would create for a field (format_type spelling). */
function expectedType(f: DmmfField): string {
  if (f.kind === 'enum') return `"${enumDbName(f.type)}"`;
  const native = f.nativeType?.[0];
  const args = f.nativeType?.[1] ?? [];
  if (native === 'Uuid') return f.isList ? 'uuid[]' : 'uuid';
  if (native === 'Timestamptz') return `timestamp(${args[0] ?? 3}) with time zone`;
  if (native) throw new Error(`add a mapping for @db.${native}`);
  const scalar: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
    Float: 'double precision',
  };
  const t = scalar[f.type];
  if (!t) throw new Error(`add a mapping for ${f.type}`);
  return f.isList ? `${t}[]` : t;
}

let client: pg.Client;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db.drop;
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await drop();
});

async function columns(): Promise<Map<string, string>> {
  const { rows } = await client.query<{ table: string; column: string; type: string; notnull: boolean }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
      AND c.relname <> '_prisma_migrations'`);
  return new Map(rows.map((r) => [`${r.table}.${r.column}`, `${r.type}${r.notnull ? ' NOT NULL' : ''}`]));
}

async function indexes(): Promise<string[]> {
  const { rows } = await client.query<{ table: string; columns: string[]; kind: string; method: string }>(`
    SELECT t.relname AS table,
           array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
           CASE WHEN ix.indisprimary THEN 'id' WHEN ix.indisunique THEN 'unique' ELSE 'normal' END AS kind,
           am.amname AS method
    FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND NOT t.relispartition AND t.relname <> '_prisma_migrations'`);
  return rows.map((r) => `${r.table}(${r.columns.join(',')}) ${r.kind} ${r.method}`).sort();
}

describe('schema.prisma and the migrations', () => {
  it('have the same tables and columns, with the same types and nullability', async () => {
    const expected = new Map<string, string>();
    for (const m of models) {
      for (const f of m.fields.filter((x) => x.kind !== 'object')) {
        expected.set(`${tableOf(m)}.${columnOf(f)}`, `${expectedType(f)}${f.isRequired ? ' NOT NULL' : ''}`);
      }
    }
    expect(Object.fromEntries([...(await columns())].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });

  it('have the same indexes (columns in order, uniqueness, method)', async () => {
    const expected = dmmf.datamodel.indexes.map((ix) => {
      const m = models.find((x) => x.name === ix.model)!;
      const cols = ix.fields.map((f) => columnOf(m.fields.find((x) => x.name === f.name)!));
      const method = (ix.algorithm ?? 'BTree').toLowerCase();
      return `${tableOf(m)}(${cols.join(',')}) ${ix.type} ${method}`;
    });
    expect(await indexes()).toEqual(expected.sort());
  });

  it('have the same enums and values', async () => {
    const { rows } = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
    const actual = Object.fromEntries(rows.map((r) => [r.name, r.values]));
    const expected = Object.fromEntries(
      dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    );
    expect(actual).toEqual(expected);
  });
});
