import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** A child process started by {@link spawnChild}, with its output. */
export interface Child {
  /** The process itself. */
  process: ChildProcess;
  /** Every line it printed so far. */
  lines: string[];
  /** Resolves with the first line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited and everything it printed has been read into `lines`. */
  exited: Promise<number | null>;
}

/** Starts the suite's child script on the adapter module with the given options and mode. */
export function spawnChild(module: string, options: Record<string, unknown>, mode: string, seed = 0): Child {
  const proc = spawn(process.execPath, [CHILD, module, JSON.stringify(options), mode, String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (l: string) => void }> = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  // 'close', not 'exit': 'exit' can come before the pipe is drained, and a crash test that
  // misses the child's last "ack" lines would expect an older state than the one acknowledged.
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {
    process: proc,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 20000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child printed no ${pattern} in ${timeoutMs} ms; output: ${lines.join(' | ')} stderr: ${stderr}`)), timeoutMs);
        void exited.then(() =>
          setTimeout(() => reject(new Error(`child exited without ${pattern}; output: ${lines.join(' | ')} stderr: ${stderr}`)), 50),
        );
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}
