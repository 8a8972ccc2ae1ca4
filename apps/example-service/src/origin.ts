/**
 * The deliberately slow origin the cache sits in front of: a stand-in for a database or a remote
 * API. Records are files (so they survive a restart of the service, as a database would), and
 * every call waits `delayMs` first, which is what makes a cache hit worth having.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Doc } from '@pmem-modes/core';

export class SlowOrigin {
  /** Calls that reached the origin since start: what the cache saved shows as fewer of these. */
  reads = 0;
  writes = 0;

  constructor(
    private readonly dir: string,
    private readonly delayMs: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async get(id: string): Promise<Doc | undefined> {
    this.reads++;
    await sleep(this.delayMs);
    try {
      return JSON.parse(readFileSync(this.fileOf(id), 'utf8')) as Doc;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Stores the document's JSON text (already checked and encoded by the caller). */
  async put(id: string, json: string): Promise<void> {
    this.writes++;
    await sleep(this.delayMs);
    const file = this.fileOf(id);
    writeFileSync(`${file}.tmp`, json);
    renameSync(`${file}.tmp`, file); // a reader never sees half a record
  }

  /** True when a record was removed. */
  async delete(id: string): Promise<boolean> {
    this.writes++;
    await sleep(this.delayMs);
    try {
      rmSync(this.fileOf(id));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Ids are arbitrary strings (`../x`, NUL, emoji): never a path, only a hash names the file. */
  private fileOf(id: string): string {
    return join(this.dir, `${createHash('sha256').update(id).digest('hex')}.json`);
  }
}
