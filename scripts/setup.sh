#!/usr/bin/env bash
# Installs what sandstack needs on a Debian or Ubuntu machine, then builds it.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# Node 20.9 or newer runs sandstack; isolated-vm and better-sqlite3 build against it.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none)); install it and run this again"
  exit 1
fi

# Debian packages: gVisor (runsc) and bubblewrap for sandboxes, and gcc and libc6-dev (with
# the static C library) for the programs in native/. git, tar and python3 serve the
# example, chromium the dashboard's browser tests, postgresql the PostgreSQL workflow
# store's tests, which start their own server, and musl-tools the tests of a musl root.
# libseccomp-dev builds the seccomp filter without which bubblewrap sandboxes do not start.
wanted=(runsc bubblewrap gcc libc6-dev libseccomp-dev git tar python3 iproute2 chromium postgresql musl-tools)
if [ -n "${SANDSTACK_SETUP_EXTRA_PACKAGES:-}" ]; then
  read -r -a extra <<<"$SANDSTACK_SETUP_EXTRA_PACKAGES"
  wanted+=("${extra[@]}")
fi
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]}"
    say "install them as root with: apt-get install ${missing[*]}"
    say "sandstack uses gVisor (runsc) where it works and bubblewrap otherwise; it needs at least one"
    if ! command -v runsc >/dev/null && ! command -v bwrap >/dev/null; then
      exit 1
    fi
  fi
fi

# npm packages, reinstalled only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (better-sqlite3 and isolated-vm build from source: 2 to 6 minutes on 2 cores)"
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p native/build

# gVisor from Debian 12 rejects a statx flag that coreutils 9 uses; a preloaded library
# drops it so `ls -l` and `stat` work in sandboxes (see native/gvisor-statx.c).
if [ ! -f native/build/gvisor-statx.so ] || [ native/gvisor-statx.c -nt native/build/gvisor-statx.so ]; then
  if command -v cc >/dev/null; then
    cc -shared -fPIC -O2 -o native/build/gvisor-statx.so native/gvisor-statx.c
  else
    say "no C compiler (cc): ls -l and stat will fail inside gVisor sandboxes; install gcc and run this again"
  fi
fi

# Builds native/NAME.c into native/build/NAME as a static program. It is built again
# whenever its source differs from the one it was built from, because a file's age misses a
# checkout of older source. The new file replaces the old by a rename, because running
# sandboxes keep the old file open. $2 names what is lost without the program.
build_static() {
  local name=$1 without=$2
  local source
  source=$(sha256sum "native/$name.c" | cut -d' ' -f1)
  if [ -f "native/build/$name" ] && [ "$(cat "native/build/$name.source" 2>/dev/null)" = "$source" ]; then
    return
  fi
  if ! command -v cc >/dev/null; then
    say "no C compiler (cc): $without; install gcc and libc6-dev and run this again"
  elif ! cc -static -O2 -o "native/build/$name.tmp" "native/$name.c"; then
    rm -f "native/build/$name.tmp"
    say "could not build native/$name.c (a static build needs libc6-dev): $without; install libc6-dev and run this again"
  else
    mv "native/build/$name.tmp" "native/build/$name"
    echo "$source" > "native/build/$name.source"
  fi
}

# The command agent of gVisor and bubblewrap sandboxes, linked statically so that it runs in
# any root filesystem. Without it every gVisor command costs a `runsc exec` and every
# bubblewrap command a new bwrap.
build_static exec-agent "sandbox commands will take the slower path"

# The launcher of a bubblewrap sandbox's bwrap with the agent. Without it every bubblewrap
# command costs a new bwrap, as without the agent.
build_static bwrap-launch "bubblewrap commands will take the slower path"

# The seccomp filter of bubblewrap sandboxes (see native/seccomp-filter.c): a program built
# with libseccomp writes it once as a BPF program, which bwrap loads. It is written again
# whenever the program's source differs from the one it was written from. Without it
# bubblewrap sandboxes do not start, unless the driver's seccompFilter option is null.
build_seccomp_filter() {
  local source
  source=$(sha256sum native/seccomp-filter.c | cut -d' ' -f1)
  if [ -f native/build/seccomp.bpf ] && [ "$(cat native/build/seccomp.bpf.source 2>/dev/null)" = "$source" ]; then
    return
  fi
  local without="bubblewrap sandboxes will not start without their seccomp filter"
  if ! command -v cc >/dev/null; then
    say "no C compiler (cc): $without; install gcc and libseccomp-dev and run this again"
  elif [ ! -f /usr/include/seccomp.h ] && ! pkg-config --exists libseccomp 2>/dev/null; then
    say "libseccomp's headers are missing: $without; install libseccomp-dev (apt-get install libseccomp-dev) and run this again"
  elif ! cc -O2 -o native/build/seccomp-filter native/seccomp-filter.c -lseccomp; then
    say "could not build native/seccomp-filter.c: $without; install libseccomp-dev and run this again"
  elif ! native/build/seccomp-filter native/build/seccomp.bpf; then
    say "native/build/seccomp-filter could not write the filter: $without"
  else
    echo "$source" > native/build/seccomp.bpf.source
  fi
}
build_seccomp_filter

say "building"
npm run --silent build
