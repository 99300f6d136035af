import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import type { Config } from '../config.js';
import { createPool } from './sql.js';

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`; a `Db` is one too, so repos that take it work either way. */
export type DbTx = Prisma.TransactionClient;

/**
 * The only `new PrismaClient`: WebAssembly query compiler over node-postgres, no native engine.
 * Given a pool it shares it (with src/db/sql.ts); otherwise it opens its own.
 */
export function createPrisma(from: pg.Pool | Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Db {
  const pool = 'connect' in from ? from : createPool(from);
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
