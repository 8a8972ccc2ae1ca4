# Sourced by the tools/ scripts: the environment every pmem-modes command runs in.
# Nx: no daemon, no cloud, no prompts, caches inside the workspace.
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
export NX_CACHE_DIRECTORY="${NX_CACHE_DIRECTORY:-$PWD/.nx/cache}"
export NX_SOCKET_DIR="${NX_SOCKET_DIR:-$PWD/.nx/sockets}"
export NX_NATIVE_FILE_CACHE_DIRECTORY="${NX_NATIVE_FILE_CACHE_DIRECTORY:-$PWD/.nx/native}"
export NX_TUI=false
# Native addons build against the Node headers the system ships (no header download offline).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
# Where pmem lives: PMEM_DIR if set (a DAX mount), else the emulated directory on /dev/shm.
export PMEM_DIR="${PMEM_DIR:-/dev/shm/pmem-modes}"
