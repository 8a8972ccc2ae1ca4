#!/usr/bin/env node
/**
 * pmem-modes-compare: runs the comparison, prints the headline tables, and writes
 * reports/<timestamp>/report.{json,md,html}. `--help` lists the flags.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DEFAULT_CONFIG, QUICK_CONFIG, type CompareConfig } from './config.js';
import { renderTerminal } from './report/terminal.js';
import { writeReports } from './report/write.js';
import { runComparison, type RunHooks } from './run.js';
import { KNOWN_TARGETS } from './targets.js';
import { WORKLOADS, type WorkloadId } from './workload.js';

const HELP = `Usage: pmem-modes-compare [options]

Runs one seeded YCSB-style document-cache workload through every available pmem-modes adapter and
peer (lmdb, Redis), interleaved, and writes reports/<timestamp>/report.{json,md,html}.

  --quick                  a smaller run (under a minute on two cores)
  --records N              documents loaded before the workloads (default ${DEFAULT_CONFIG.recordCount})
  --ops N                  timed operations per workload, target and repetition (default ${DEFAULT_CONFIG.opsPerRep})
  --warmup N               untimed operations before each timed block (default ${DEFAULT_CONFIG.warmupOps})
  --block-ms N             time limit of one timed block, ms (default ${DEFAULT_CONFIG.blockTimeLimitMs})
  --reps N                 repetitions (default ${DEFAULT_CONFIG.repetitions})
  --workloads LIST         comma-separated subset of ${WORKLOADS.join(',')} (default all)
  --distribution D         zipfian (default) or uniform key popularity
  --doc-bytes N            JSON bytes per document (default ${DEFAULT_CONFIG.docBytes})
  --mixed-docs             long-tailed document sizes (200 B to 256 KiB) instead of fixed ones
  --no-sync                skip the getSync/setSync column
  --restart-docs N         documents loaded before the restart scenario (default ${DEFAULT_CONFIG.restartDocs})
  --probe-ops N            reads after a restart counted for the hit ratio (default ${DEFAULT_CONFIG.restartProbeOps})
  --miss-penalty-us N      modeled origin cost of a miss, microseconds (default ${DEFAULT_CONFIG.missPenaltyUs})
  --crash-trials N         SIGKILL trials per crash-consistent target (default ${DEFAULT_CONFIG.crashTrials})
  --targets LIST           only these targets: ${KNOWN_TARGETS.map((t) => t.id).join(',')}
  --seed N                 seed of every stream (default ${DEFAULT_CONFIG.seed})
  --dir PATH               data directory (default PMEM_DIR, else /dev/shm/pmem-modes)
  --out DIR                report directory (default reports/<timestamp>)
  -h, --help               this text
`;

class UsageError extends Error {}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${flag} takes a positive integer, got "${text}"`);
  return n;
}

function parseCommandLine(argv: string[]): { config: Partial<CompareConfig>; out?: string; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      records: { type: 'string' },
      ops: { type: 'string' },
      warmup: { type: 'string' },
      reps: { type: 'string' },
      'block-ms': { type: 'string' },
      workloads: { type: 'string' },
      distribution: { type: 'string' },
      'doc-bytes': { type: 'string' },
      'mixed-docs': { type: 'boolean' },
      'no-sync': { type: 'boolean' },
      'restart-docs': { type: 'string' },
      'probe-ops': { type: 'string' },
      'miss-penalty-us': { type: 'string' },
      'crash-trials': { type: 'string' },
      targets: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const config: Partial<CompareConfig> = values.quick ? { ...QUICK_CONFIG } : {};
  const set = <K extends keyof CompareConfig>(key: K, value: CompareConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set('recordCount', positiveInt('records', values.records));
  set('opsPerRep', positiveInt('ops', values.ops));
  set('warmupOps', positiveInt('warmup', values.warmup));
  set('repetitions', positiveInt('reps', values.reps));
  set('blockTimeLimitMs', positiveInt('block-ms', values['block-ms']));
  set('docBytes', positiveInt('doc-bytes', values['doc-bytes']));
  set('restartDocs', positiveInt('restart-docs', values['restart-docs']));
  set('restartProbeOps', positiveInt('probe-ops', values['probe-ops']));
  set('missPenaltyUs', positiveInt('miss-penalty-us', values['miss-penalty-us']));
  set('crashTrials', positiveInt('crash-trials', values['crash-trials']));
  set('seed', positiveInt('seed', values.seed));
  set('dir', values.dir);
  if (values['mixed-docs']) config.docProfile = 'mixed';
  if (values['no-sync']) config.syncColumn = false;
  if (values.distribution !== undefined) {
    if (values.distribution !== 'zipfian' && values.distribution !== 'uniform') throw new UsageError(`--distribution is zipfian or uniform, got "${values.distribution}"`);
    config.distribution = values.distribution;
  }
  if (values.workloads !== undefined) {
    const list = values.workloads.split(',').map((w) => w.trim().toUpperCase());
    const bad = list.filter((w) => !WORKLOADS.includes(w as WorkloadId));
    if (bad.length || list.length === 0) throw new UsageError(`--workloads takes a comma-separated subset of ${WORKLOADS.join(',')}, got "${values.workloads}"`);
    config.workloads = list as WorkloadId[];
  }
  if (values.targets !== undefined) {
    const list = values.targets.split(',').map((t) => t.trim());
    const bad = list.filter((t) => !KNOWN_TARGETS.some((k) => k.id === t));
    if (bad.length) throw new UsageError(`unknown target(s) ${bad.join(', ')}; known: ${KNOWN_TARGETS.map((t) => t.id).join(', ')}`);
    config.targets = list;
  }
  return { config, out: values.out, help: values.help === true };
}

function progressHooks(): { hooks: RunHooks; stop(): void } {
  if (!process.stderr.isTTY) {
    return {
      hooks: {
        onProgress: (p) => console.error(`[${p.done}/${p.total}] ${p.step}`),
        onNote: (line) => console.error(line),
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar({ format: ' {bar} {value}/{total} {step}', hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
  let started = false;
  // Notes wait for the bar to stop: writing under a live bar garbles both.
  const notes: string[] = [];
  return {
    hooks: {
      onProgress: (p) => {
        if (!started) {
          bar.start(p.total, 0, { step: '' });
          started = true;
        }
        bar.setTotal(p.total);
        bar.update(p.done, { step: p.step });
      },
      onNote: (line) => notes.push(line),
    },
    stop: () => {
      bar.stop();
      for (const line of notes) console.error(line);
    },
  };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    console.error(`pmem-modes-compare: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const command = ['pmem-modes-compare', ...process.argv.slice(2)].join(' ');
  const progress = progressHooks();
  const began = performance.now();
  let report;
  try {
    report = await runComparison({ ...parsed.config, command }, progress.hooks);
  } finally {
    progress.stop();
  }
  console.log(renderTerminal(report));
  const files = writeReports(report, 'reports', parsed.out);
  console.log(`reports written to ${files.dir} (report.json, report.md, report.html) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`pmem-modes-compare failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
