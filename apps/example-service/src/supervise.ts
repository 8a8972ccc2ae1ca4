/**
 * Runs the service as a child process, the way a supervisor would: start it, wait for its
 * `listening` line, send signals, collect the exit code. The tests and the restart benchmark use
 * it so that every restart is a real process exit and a real start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

// From src/ (tests) and dist/ (the benchmark) alike: the built entry point.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface RunningService {
  url: string;
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr lines). */
  output: string[];
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts dist/main.js with `env` added to this process's environment. */
export function startService(env: Record<string, string>, timeoutMs = 20_000): Promise<RunningService> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not start in ${timeoutMs} ms: ${output.join(' | ')}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before listening: ${output.join(' | ')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const m = /^listening (\S+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        process: child,
        output,
        exited,
        stop(signal = 'SIGTERM') {
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/**
 * One request with the path sent exactly as given (no client-side normalisation of `..` or
 * percent-encoding, unlike fetch), so tests can send what a hostile client would.
 */
export function http(base: string, method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<HttpAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: body === undefined ? {} : { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The path of a document: the id percent-encoded, dots too (`..` must not read as a path step). */
export function docPath(id: string): string {
  return `/docs/${encodeURIComponent(id).replace(/\./g, '%2E')}`;
}
