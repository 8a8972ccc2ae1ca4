#!/usr/bin/env bash
# Prepares a fresh machine: system libraries (PMDK, memkind, Redis, Chromium), npm packages, builds.
# Safe to run again: each step is skipped when already done. Exits non-zero with the exact command
# to run when it cannot install something itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh

# Debian packages: the native adapters' libraries, the tiered hybrid's Redis (redis-tools: redis-cli
# creates the test cluster), the report test's browser, and the compiler node-gyp needs
# (better-sqlite3 builds its addon from source when offline).
APT_PACKAGES=(pkg-config libpmem-dev libpmemobj-dev libmemkind-dev pmdk-tools redis-server redis-tools chromium g++ make python3)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing ${missing[*]} with sudo"
    sudo env DEBIAN_FRONTEND=noninteractive sh -c "$cmd" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root: $cmd" >&2
    exit 1
  fi
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building every package"
node_modules/.bin/nx run-many -t build --outputStyle=static >/tmp/pmem-modes-build.log 2>&1 || {
  cat /tmp/pmem-modes-build.log >&2
  echo "setup: the build failed (log above)" >&2
  exit 1
}
echo "setup: ready (pmem directory: $PMEM_DIR)"
