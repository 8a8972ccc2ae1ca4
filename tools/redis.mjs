// Starts a private Redis server (Debian's redis-server) on a free loopback port with its own data
// directory, for the tests, CI and the comparison app. Nothing persists: no RDB, no AOF.
//
//   import { startRedis } from '../../tools/redis.mjs';
//   const redis = await startRedis();   // { port, url, dir, stop() }
//   const cluster = await startRedisCluster(3);   // { ports, urls, nodes, stop() }: 3 masters, no replicas
//
// As a command: `node tools/redis.mjs [cluster [N]]` starts one (or a cluster), prints its URL(s),
// and stops it on SIGINT/SIGTERM.
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

/** True when `redis-cli` (Debian's redis-tools) is on PATH: cluster creation needs it. */
export function redisCliAvailable() {
  return spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs redis-cli with `args`; resolves with its stdout, rejects with its output on failure. */
function redisCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

/**
 * Starts a Redis Cluster of `masters` servers (no replicas) on loopback, each with its own data
 * directory and cluster config file, and resolves once every node reports `cluster_state:ok`.
 * @returns {Promise<{ ports: number[], urls: string[], nodes: Array<{ host: string, port: number }>, stop(): Promise<void> }>}
 */
export async function startRedisCluster(masters = 3, { timeoutMs = 15000 } = {}) {
  if (!redisCliAvailable()) {
    throw new Error('redis-cli is not installed: run `apt-get install redis-tools` (tools/setup.sh does it)');
  }
  const servers = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      servers.push(
        await startRedis({
          port,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await redisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + timeoutMs;
    for (const s of servers) {
      for (;;) {
        const info = await redisCli(['-p', String(s.port), 'cluster', 'info']);
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${s.port} not ok within ${timeoutMs} ms: ${info}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    ports: servers.map((s) => s.port),
    urls: servers.map((s) => s.url),
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    stop: async () => {
      await stopAll();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = process.argv[2] === 'cluster' ? await startRedisCluster(Number(process.argv[3] ?? 3)) : await startRedis();
  console.log(redis.url ?? redis.urls.join(' '));
  const stop = () => redis.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
