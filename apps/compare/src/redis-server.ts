/**
 * The private Redis server of a run, started with the repository's tools/redis.mjs (loopback, a
 * free port, no persistence). Its URL is also exported as REDIS_URL for the run, the variable the
 * Redis-backed adapters read when no url option is given; the previous value is restored on stop.
 */
import { fileURLToPath } from 'node:url';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

interface RedisTools {
  redisAvailable(): boolean;
  startRedis(): Promise<{ url: string; stop(): Promise<void> }>;
}

const TOOLS = fileURLToPath(new URL('../../../tools/redis.mjs', import.meta.url));

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const tools = (await import(TOOLS)) as RedisTools;
  if (!tools.redisAvailable()) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const server = await tools.startRedis();
  const previous = process.env.REDIS_URL;
  process.env.REDIS_URL = server.url;
  return {
    url: server.url,
    async stop() {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
      await server.stop();
    },
  };
}
