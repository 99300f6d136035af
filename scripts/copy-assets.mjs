// tsc emits only JavaScript; the Lua scripts the Redis layer loads at run time are copied beside it.
import { cpSync } from 'node:fs';

cpSync('src/redis/scripts', 'dist/src/redis/scripts', { recursive: true });
