#!/usr/bin/env bash
# Runs the workspace's own Nx with the project's environment: `bash tools/nx.sh run-many -t build`.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
exec node_modules/.bin/nx "$@"
