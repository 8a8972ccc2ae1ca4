/**
 * Live invalidation through Redis's server-assisted client-side caching, in broadcast mode.
 *
 * For every master, a RESP2 subscriber listens on `__redis__:invalidate` (ioredis drops RESP3
 * invalidation pushes), and the connection that sends this client's commands to that master runs
 * `CLIENT TRACKING ON REDIRECT <subscriber> BCAST PREFIX <docPrefix> NOLOOP`: Redis then reports
 * every change of a document key by anyone but this client. In a cluster, tracking is per node.
 *
 * Tracking dies with either connection (a reconnect gets a new client id, a restarted server
 * forgets it). Invalidations sent meanwhile are lost, so the tracker reports `lost` at once and
 * rebuilds everything in the background; the adapter must not trust its local tier until it has
 * revalidated it after `restored`. `epoch` counts the losses: a read started in one epoch must
 * not fill the local tier in another.
 */
import { Redis } from 'ioredis';
import { CONNECTION_OPTIONS, type RedisClient } from './remote.js';

const CHANNEL = '__redis__:invalidate';

export interface TrackerHandlers {
  /** Keys (without the prefix) that changed in Redis, or null when the whole database was flushed. */
  invalidate(keys: string[] | null): void;
  /** Tracking is down: invalidations may be missed from now on. */
  lost(): void;
  /** Tracking is up again (in `epoch`): revalidate, then trust the local tier. */
  restored(epoch: number): void;
}

export class InvalidationTracker {
  #epoch = 0;
  #up = false;
  #closed = false;
  #subscribers: Redis[] = [];
  #watched = new WeakSet<object>();
  #rebuilding: Promise<void> | undefined;
  readonly #prefixBytes: number;

  constructor(
    private readonly client: RedisClient,
    private readonly docPrefix: string,
    private readonly handlers: TrackerHandlers,
  ) {
    this.#prefixBytes = Buffer.byteLength(docPrefix);
  }

  /** Changes every time tracking is lost. */
  get epoch(): number {
    return this.#epoch;
  }

  /** True while every master reports changes to this client. */
  get up(): boolean {
    return this.#up;
  }

  /** Sets tracking up once; rejects when Redis cannot be reached (the caller reports it). */
  async start(): Promise<void> {
    this.watch(this.client);
    await this.setUp();
    this.#up = true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    await this.#rebuilding?.catch(() => undefined);
    await this.dropSubscribers();
  }

  private connections(): Redis[] {
    return this.client instanceof Redis ? [this.client] : this.client.nodes('master');
  }

  private async setUp(): Promise<void> {
    await this.dropSubscribers();
    for (const conn of this.connections()) {
      this.watch(conn);
      const { host, port, username, password, tls, family } = conn.options;
      const subscriber = new Redis({ host, port, username, password, tls, family, ...CONNECTION_OPTIONS, retryStrategy: () => null, protocol: 2 });
      this.#subscribers.push(subscriber);
      subscriber.on('error', () => undefined); // surfaced as 'close', handled below
      subscriber.on('messageBuffer', (channel: Buffer, message: unknown) => this.onMessage(channel, message));
      await subscriber.connect();
      subscriber.once('close', () => this.onLost());
      // Asked before SUBSCRIBE: a subscribed RESP2 connection takes no other commands.
      const id = (await subscriber.call('CLIENT', 'ID')) as number;
      await subscriber.subscribe(CHANNEL);
      await conn.call('CLIENT', 'TRACKING', 'OFF');
      await conn.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', this.docPrefix, 'NOLOOP');
    }
  }

  private onMessage(channel: Buffer, message: unknown): void {
    if (channel.toString() !== CHANNEL) return;
    if (message === null || !Array.isArray(message)) {
      this.handlers.invalidate(null);
      return;
    }
    const keys: string[] = [];
    for (const raw of message as Buffer[]) keys.push(raw.subarray(this.#prefixBytes).toString('utf8'));
    this.handlers.invalidate(keys);
  }

  private watch(emitter: { on(event: string, fn: () => void): unknown }): void {
    if (this.#watched.has(emitter)) return;
    this.#watched.add(emitter);
    emitter.on('close', () => this.onLost());
    emitter.on('error', () => undefined); // every failure also closes: handled there
    if (!(emitter instanceof Redis)) {
      emitter.on('+node', () => this.onLost());
      emitter.on('-node', () => this.onLost());
    }
  }

  private onLost(): void {
    if (this.#closed) return;
    this.#epoch++;
    const wasUp = this.#up;
    this.#up = false;
    if (wasUp) this.handlers.lost();
    this.#rebuilding ??= this.rebuild().finally(() => (this.#rebuilding = undefined));
  }

  /** Retries the whole setup until it holds through one full pass, then reports `restored`. */
  private async rebuild(): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 1000)));
      if (this.#closed) return;
      const epoch = this.#epoch;
      try {
        await this.setUp();
      } catch {
        continue;
      }
      if (epoch === this.#epoch && !this.#closed) {
        this.#up = true;
        this.handlers.restored(epoch);
        return;
      }
    }
  }

  private async dropSubscribers(): Promise<void> {
    const old = this.#subscribers.splice(0);
    for (const s of old) {
      s.removeAllListeners('close');
      s.disconnect();
    }
  }
}
