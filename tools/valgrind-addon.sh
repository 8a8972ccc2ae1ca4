#!/usr/bin/env bash
# Runs a small workload of the app-direct addon under valgrind memcheck and fails on any memory
# error in it (invalid reads or writes, uses of uninitialised values, definite leaks).
# Not part of `npm test` (about a minute): run it after changing native code.
#   bash tools/valgrind-addon.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
command -v valgrind >/dev/null || { echo "valgrind-addon: install valgrind (apt-get install valgrind)" >&2; exit 1; }
[ -f packages/app-direct/build/Release/app_direct.node ] || { echo "valgrind-addon: build first (bash tools/nx.sh run-many -t build)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# V8's JIT and GC confuse memcheck's leak checker: report only definite leaks from the addon's
# code paths; errors anywhere fail the run.
PMEM_IS_PMEM_FORCE=1 valgrind --tool=memcheck --error-exitcode=3 --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=30 --log-file="$log" \
  node packages/app-direct/scripts/valgrind-workload.mjs || status=$?
grep -E "ERROR SUMMARY|definitely lost|Invalid|uninitialised" "$log" | sed 's/^==[0-9]*== //' | sort | uniq -c
if [ "$status" -ne 0 ]; then
  echo "valgrind-addon: memcheck found errors (exit $status); full log:" >&2
  cat "$log" >&2
fi
exit "$status"
