#!/bin/sh
# Release build: one self-contained `joblet` binary per Linux architecture and one `rnx` per platform, into
# <out> (dist/ unless given: sh bin/compile.sh /tmp/out):
#   joblet-linux-x64 joblet-linux-arm64 rnx-linux-x64 rnx-linux-arm64 rnx-darwin-x64 rnx-darwin-arm64
#   rnx-windows-x64.exe rnx-windows-arm64.exe       (deno compile adds .exe for Windows targets)
# The targets are the ones `deno compile --help` of Deno 2.9.3 lists. `deno compile` downloads its `denort` base
# per target (into $DENO_DIR/dl), so this needs internet access (see Dockerfile.build); offline, use
# `deno task dist`. Nothing is passed with --include: the only asset, the built-in runtime specs, is module text
# (agent/os/runtime/specs/mod.ts) so that the bundle of `deno task dist` carries it too; a file read at run time
# would need `--include <file>` here and a path from import.meta.dirname in the code.
set -eu
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out"
compile() { # TARGET OUTPUT ENTRY
  deno compile --quiet -A --no-check --frozen --target "$1" -o "$out/$2" "$3"
}
for t in x86_64-unknown-linux-gnu:linux-x64 aarch64-unknown-linux-gnu:linux-arm64; do
  compile "${t%%:*}" "joblet-${t##*:}" agent/main.ts
done
for t in x86_64-unknown-linux-gnu:linux-x64 aarch64-unknown-linux-gnu:linux-arm64 \
  x86_64-apple-darwin:darwin-x64 aarch64-apple-darwin:darwin-arm64 \
  x86_64-pc-windows-msvc:windows-x64 aarch64-pc-windows-msvc:windows-arm64; do
  compile "${t%%:*}" "rnx-${t##*:}" cli/main.ts
done
ls -l "$out"
