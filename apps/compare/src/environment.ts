/** The environment block of a report: what the figures were measured on, detected, never assumed. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { detectMedium, type Medium } from '@pmem-modes/core';
import { timerOverhead, type LatencySummary } from './measure.js';

export interface Environment {
  date: string;
  command: string;
  cpuModel: string;
  cpuCount: number;
  /** Cache-line flush instructions persistent memory code relies on. */
  cpuFlags: { clwb: boolean; clflushopt: boolean };
  kernel: string;
  node: string;
  memoryBytes: number;
  /** Versions of the native libraries from pkg-config or dpkg; `missing` when not installed. */
  pmdk: string;
  memkind: string;
  /** Where the pmem data of this run lives. */
  medium: Medium;
  /** PMEM_IS_PMEM_FORCE as set for the run (1 makes PMDK flush with CPU instructions on tmpfs). */
  pmemIsPmemForce: string;
  /** The cost of reading the clock, to read sub-microsecond figures against. */
  timer: LatencySummary;
}

function libraryVersion(pkgConfigName: string, debianPackage: string): string {
  const pc = spawnSync('pkg-config', ['--modversion', pkgConfigName], { encoding: 'utf8' });
  if (pc.status === 0 && pc.stdout.trim()) return pc.stdout.trim();
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', debianPackage], { encoding: 'utf8' });
  if (dpkg.status === 0 && dpkg.stdout.trim()) return dpkg.stdout.trim();
  return 'missing';
}

function cpuFlags(): { clwb: boolean; clflushopt: boolean } {
  let flags: string[] = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    flags = line?.split(':')[1]?.trim().split(/\s+/) ?? [];
  } catch {
    /* not Linux: report both absent */
  }
  return { clwb: flags.includes('clwb'), clflushopt: flags.includes('clflushopt') };
}

export function describeEnvironment(dataDir: string, command: string): Environment {
  return {
    date: new Date().toISOString(),
    command,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus().length,
    cpuFlags: cpuFlags(),
    kernel: `${osType()} ${release()}`,
    node: process.version,
    memoryBytes: totalmem(),
    pmdk: libraryVersion('libpmemobj', 'libpmemobj1'),
    memkind: libraryVersion('memkind', 'libmemkind0'),
    medium: detectMedium(dataDir),
    pmemIsPmemForce: process.env.PMEM_IS_PMEM_FORCE ?? '(unset)',
    timer: timerOverhead(),
  };
}
