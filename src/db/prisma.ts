import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Config } from '../config.js';

export type Db = PrismaClient;

/** The only `new PrismaClient`: WebAssembly query compiler over node-postgres, no native engine. */
export function createPrisma(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Db {
  const adapter = new PrismaPg({ connectionString: config.databaseUrl, max: config.databasePoolSize });
  return new PrismaClient({ adapter });
}
