/** Drives test/fixtures/client.mjs: another process with its own connection and local tier. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Doc } from '@pmem-modes/core';
import type { TierStats } from '@pmem-modes/hybrid-tiered';

const SCRIPT = fileURLToPath(new URL('./fixtures/client.mjs', import.meta.url));

export class ClientProcess {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  #lines: string[] = [];
  #waiting: Array<(line: string) => void> = [];
  #stderr = '';

  constructor(options: Record<string, unknown>) {
    this.process = spawn(process.execPath, [SCRIPT, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
  }

  /** The next line the client prints (its answer to the last request). */
  next(timeoutMs = 15000): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client printed nothing in ${timeoutMs} ms; stderr: ${this.#stderr}`)), timeoutMs);
      this.#waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  }

  async opened(): Promise<void> {
    const line = await this.next();
    if (line !== 'opened') throw new Error(`client did not open: ${line}`);
  }

  private async ask(request: string): Promise<string> {
    this.process.stdin!.write(`${request}\n`);
    const line = await this.next();
    if (line.startsWith('error ')) throw new Error(`client: ${request} -> ${line}`);
    return line;
  }

  async get(key: string): Promise<Doc | undefined> {
    const json = (await this.ask(`get ${key}`)).slice('value '.length);
    return json === 'undefined' ? undefined : (JSON.parse(json) as Doc);
  }

  async set(key: string, doc: Doc): Promise<void> {
    await this.ask(`set ${key} ${JSON.stringify(doc)}`);
  }

  async tier(): Promise<TierStats> {
    return JSON.parse((await this.ask('tier')).slice('tier '.length)) as TierStats;
  }

  async close(): Promise<void> {
    await this.ask('close');
    await this.exited;
  }

  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}
