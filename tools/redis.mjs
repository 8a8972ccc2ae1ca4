// Starts a private Redis server (Debian's redis-server) on a free loopback port with its own data
// directory, for the tests, CI and the comparison app. Nothing persists: no RDB, no AOF.
//
//   import { startRedis } from '../../tools/redis.mjs';
//   const redis = await startRedis();   // { port, url, dir, stop() }
//
// As a command: `node tools/redis.mjs` starts one, prints its URL, and stops it on SIGINT/SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when `redis-server` is on PATH. */
export function redisAvailable() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the server at `port` answers PING, or rejects after `timeoutMs`. */
export async function waitForPing(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      sock.setTimeout(500);
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      sock.once('error', () => resolve(false));
      sock.once('timeout', () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts redis-server on 127.0.0.1. `extraArgs` are passed through (e.g. cluster flags).
 * @returns {Promise<{ port: number, url: string, dir: string, pid: number, stop(): Promise<void> }>}
 */
export async function startRedis({ port, dir, extraArgs = [] } = {}) {
  if (!redisAvailable()) {
    throw new Error('redis-server is not installed: run `apt-get install redis-server` (tools/setup.sh does it)');
  }
  port ??= await freePort();
  const ownDir = dir === undefined;
  dir ??= mkdtempSync(join(tmpdir(), 'pmem-modes-redis-'));
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', ...extraArgs],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await Promise.race([waitForPing(port), exited.then(() => Promise.reject(new Error(`redis-server exited: ${stderr}`)))]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = await startRedis();
  console.log(redis.url);
  const stop = () => redis.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
