#!/bin/sh
# Release build: one self-contained `joblet` binary per Linux architecture and one `rnx` per platform.
# `deno compile` downloads its `denort` base per target, so this needs internet access (see Dockerfile.build);
# offline, use `deno task dist` instead.
set -eu
cd "$(dirname "$0")/.."
mkdir -p dist
for t in x86_64-unknown-linux-gnu:linux-x64 aarch64-unknown-linux-gnu:linux-arm64; do
  deno compile -A --no-check --target "${t%%:*}" -o "dist/joblet-${t##*:}" agent/main.ts
done
for t in x86_64-unknown-linux-gnu:linux-x64 aarch64-unknown-linux-gnu:linux-arm64 \
  x86_64-apple-darwin:darwin-x64 aarch64-apple-darwin:darwin-arm64 x86_64-pc-windows-msvc:windows-x64; do
  deno compile -A --no-check --target "${t%%:*}" -o "dist/rnx-${t##*:}" cli/main.ts
done
ls -l dist
