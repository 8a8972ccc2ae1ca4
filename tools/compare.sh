#!/usr/bin/env bash
# The README's first command: set up, then run the comparison on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
. tools/env.sh
if [ -f apps/compare/dist/cli.js ]; then
  exec node apps/compare/dist/cli.js "$@"
fi
exec node tools/demo.mjs "$@"
