/** @pmem-modes/compare: the comparison as a library (the CLI is dist/cli.js). */
export { runComparison, type Progress, type RunHooks } from './run.js';
export { DEFAULT_CONFIG, QUICK_CONFIG, type CompareConfig } from './config.js';
export { KNOWN_TARGETS, type TargetSpec } from './targets.js';
export { writeReports } from './report/write.js';
export { renderHtml } from './report/html.js';
export { renderMarkdown } from './report/markdown.js';
export { renderTerminal } from './report/terminal.js';
export type * from './report-model.js';
export { WORKLOADS, WORKLOAD_MIX, type WorkloadId } from './workload.js';
