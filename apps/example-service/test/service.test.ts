import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_KEYS } from '@pmem-modes/conformance';
import { docPath, http, startService, type RunningService } from '../src/supervise.js';

const MAX_DOC_BYTES = 4096;

describe('example service over HTTP (dram adapter)', () => {
  let work: string;
  let service: RunningService;
  const env = () => ({
    CACHE_ADAPTER: '@pmem-modes/dram',
    CACHE_MAX_DOC_BYTES: String(MAX_DOC_BYTES),
    ORIGIN_DIR: join(work, 'origin'),
    ORIGIN_DELAY_MS: '5',
  });
  const stats = async () => (await http(service.url, 'GET', '/stats')).json as Record<string, any>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'example-service-'));
    service = await startService(env());
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('PUT then GET returns the document from the cache (x-cache: hit)', async () => {
    const put = await http(service.url, 'PUT', docPath('user:1'), JSON.stringify({ name: 'Ada', langs: ['en'] }));
    expect(put.status).toBe(204);
    const got = await http(service.url, 'GET', docPath('user:1'));
    expect(got.status).toBe(200);
    expect(got.headers['x-cache']).toBe('hit');
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.json).toEqual({ name: 'Ada', langs: ['en'] });
  });

  it('a miss reads the origin once and fills the cache: the next GET is a hit', async () => {
    await http(service.url, 'PUT', docPath('fill'), '"v1"');
    // A second service on the same origin starts with an empty (dram) cache: the origin has the
    // document, its cache does not.
    const second = await startService(env());
    try {
      const first = await http(second.url, 'GET', docPath('fill'));
      expect([first.status, first.headers['x-cache'], first.json]).toEqual([200, 'miss', 'v1']);
      const again = await http(second.url, 'GET', docPath('fill'));
      expect([again.status, again.headers['x-cache'], again.json]).toEqual([200, 'hit', 'v1']);
      const s = (await http(second.url, 'GET', '/stats')).json as Record<string, any>;
      expect(s).toMatchObject({ adapter: 'dram', hits: 1, misses: 1, origin: { reads: 1, writes: 0 } });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('a string document comes back as JSON, not text', async () => {
    await http(service.url, 'PUT', docPath('str'), JSON.stringify('plain words'));
    const got = await http(service.url, 'GET', docPath('str'));
    expect(got.body).toBe('"plain words"');
  });

  it('GET of an id the origin does not have is 404 ERR_NOT_FOUND', async () => {
    const got = await http(service.url, 'GET', docPath('nobody'));
    expect(got.status).toBe(404);
    expect(got.json).toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('DELETE removes the document from cache and origin; a second DELETE is 404', async () => {
    await http(service.url, 'PUT', docPath('gone'), '{"x":1}');
    expect((await http(service.url, 'DELETE', docPath('gone'))).status).toBe(204);
    expect((await http(service.url, 'GET', docPath('gone'))).status).toBe(404);
    expect((await http(service.url, 'DELETE', docPath('gone'))).status).toBe(404);
  });

  it('hostile but valid ids (.., NUL, /, emoji, 1024 bytes) are distinct documents, never paths', async () => {
    for (const [i, id] of HOSTILE_KEYS.entries()) {
      const put = await http(service.url, 'PUT', docPath(id), JSON.stringify({ i }));
      expect(put.status, `PUT ${JSON.stringify(id)}`).toBe(204);
    }
    for (const [i, id] of HOSTILE_KEYS.entries()) {
      const got = await http(service.url, 'GET', docPath(id));
      expect([got.status, got.json], `GET ${JSON.stringify(id)}`).toEqual([200, { i }]);
    }
    // The origin names files by hash: one file per id, all inside its directory.
    expect(readdirSync(join(work, 'origin')).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(HOSTILE_KEYS.length);
  });

  describe('bad input gets a 4xx with the CacheError code and changes nothing', () => {
    const cases: Array<[string, string, string, string | Buffer | undefined, string, number, string]> = [
      ['an id over 1024 UTF-8 bytes', 'PUT', docPath('a'.repeat(1025)), '1', 'application/json', 400, 'ERR_INVALID_KEY'],
      ['an id over 1024 UTF-8 bytes (GET)', 'GET', docPath('€'.repeat(342)), undefined, '', 400, 'ERR_INVALID_KEY'],
      ['an id that is not UTF-8 (lone surrogate)', 'GET', '/docs/%ED%A0%80', undefined, '', 400, 'ERR_INVALID_KEY'],
      ['an id with broken percent-encoding', 'PUT', '/docs/%E0%A4%A', '1', 'application/json', 400, 'ERR_INVALID_KEY'],
      ['malformed JSON', 'PUT', docPath('victim'), '{"a": ', 'application/json', 400, 'ERR_INVALID_DOC'],
      ['an empty JSON body', 'PUT', docPath('victim'), '', 'application/json', 400, 'ERR_INVALID_DOC'],
      ['a __proto__ key (prototype poisoning)', 'PUT', docPath('victim'), '{"__proto__": {"admin": true}}', 'application/json', 400, 'ERR_INVALID_DOC'],
      ['a body that is not JSON', 'PUT', docPath('victim'), 'hello', 'text/plain', 415, 'ERR_INVALID_DOC'],
      ['a document over maxDocBytes', 'PUT', docPath('victim'), JSON.stringify('x'.repeat(MAX_DOC_BYTES)), 'application/json', 413, 'ERR_DOC_TOO_LARGE'],
      ['a body over the body limit', 'PUT', docPath('victim'), Buffer.alloc(4 * MAX_DOC_BYTES, ' '), 'application/json', 413, 'ERR_DOC_TOO_LARGE'],
    ];
    it.each(cases)('%s', async (_what, method, path, body, type, status, code) => {
      await http(service.url, 'PUT', docPath('victim'), '{"kept":true}');
      const before = await stats();
      const answer = await http(service.url, method, path, body, type);
      expect(answer.status).toBe(status);
      expect(answer.json).toMatchObject({ statusCode: status, code });
      expect((answer.json as { message: string }).message.length).toBeGreaterThan(20);
      const after = await stats();
      expect(after.origin).toEqual(before.origin); // refused before the origin was touched
      expect((await http(service.url, 'GET', docPath('victim'))).json).toEqual({ kept: true });
      expect(service.process.exitCode).toBeNull();
    });
  });

  it('/stats reports hits, misses, evictions and the medium', async () => {
    const s = await stats();
    expect(s).toMatchObject({ adapter: 'dram', capabilities: { persistent: false }, medium: { kind: 'dram' } });
    for (const field of ['hits', 'misses', 'evictions', 'count', 'bytesUsed', 'capacityBytes']) expect(typeof s[field]).toBe('number');
    expect(s.hits).toBeGreaterThan(0);
  });
});

describe('example service process', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'example-service-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)('%s lets the request in flight finish, closes the cache and exits 0', async (signal) => {
    const service = await startService({ ORIGIN_DIR: join(work, 'origin'), ORIGIN_DELAY_MS: '400' });
    const slow = http(service.url, 'PUT', docPath('slow'), '{"late":true}');
    await new Promise((r) => setTimeout(r, 100)); // the PUT is now waiting on the origin
    const code = await service.stop(signal);
    expect((await slow).status).toBe(204);
    expect(code).toBe(0);
    expect(service.output).toContain('closed: cache closed');
  });

  it('an adapter that is not installed stops start-up with ERR_INVALID_OPTION and the npm command', async () => {
    await expect(startService({ CACHE_ADAPTER: '@pmem-modes/no-such-adapter', ORIGIN_DIR: join(work, 'origin') })).rejects.toThrow(
      /exited with 1.*ERR_INVALID_OPTION.*npm install @pmem-modes\/no-such-adapter/,
    );
  });

  it('a malformed setting stops start-up with ERR_INVALID_OPTION', async () => {
    await expect(startService({ CACHE_CAPACITY_BYTES: '64MB', ORIGIN_DIR: join(work, 'origin') })).rejects.toThrow(/ERR_INVALID_OPTION.*CACHE_CAPACITY_BYTES/);
  });
});
