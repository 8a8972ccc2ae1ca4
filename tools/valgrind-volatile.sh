#!/usr/bin/env bash
# Runs a small workload of the volatile adapter under valgrind memcheck (not part of CI: slow).
# Exits non-zero on any memcheck error or definite leak. memcheck sees the addon's own allocations
# and its reads and writes; memory inside the memkind heap is jemalloc's, which memcheck does not
# track, so heap leaks are checked by the package's tests (memkind's figures back to baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
command -v valgrind >/dev/null || { echo "valgrind-volatile: apt-get install valgrind" >&2; exit 1; }
[ -f packages/volatile/build/Release/volatile_heap.node ] || { echo "valgrind-volatile: build first: bash tools/nx.sh run-many -t build" >&2; exit 1; }
dir="$PMEM_DIR/valgrind-volatile-$$"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
# V8's garbage collector scans the native stack conservatively, reading slots never written.
cat >"$dir/node.supp" <<'SUPP'
{
   v8-conservative-stack-scan
   Memcheck:Cond
   fun:*IteratePointersInStack*
}
SUPP
valgrind --tool=memcheck --suppressions="$dir/node.supp" --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --track-origins=yes --num-callers=30 \
  node packages/volatile/test/fixtures/valgrind-workload.mjs "$dir"
