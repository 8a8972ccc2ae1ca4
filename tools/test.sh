#!/usr/bin/env bash
# The README's test command: set up, then run every project's tests through Nx, then print one
# closing line that adds up every package's vitest results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
. tools/env.sh
rm -rf .vitest-results
status=0
node_modules/.bin/nx run-many -t test --parallel=1 --outputStyle=static "$@" || status=$?
node tools/sum-results.mjs || status=1
exit $status
