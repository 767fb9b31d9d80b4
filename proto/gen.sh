#!/bin/sh
# Regenerates the typed gRPC stubs in proto/gen/ from every .proto here:
#   joblet.proto  → gen/joblet.ts   the Joblet API
#   health.proto  → gen/health.ts   the standard grpc.health.v1 service
# Needs protoc (Debian: protobuf-compiler) and node/npx; the output is checked in, so CI needs neither.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent ts-proto@2.18.0 >/dev/null)
mkdir "$tmp/gen"
protoc --plugin=protoc-gen-ts_proto="$tmp/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$tmp/gen" \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,importSuffix=.ts,forceLong=number,useOptionals=none,snakeToCamel=true \
  joblet.proto health.proto
# Replace gen/ only once protoc succeeded, so a failed run leaves the checked-in stubs alone.
rm -rf gen && mv "$tmp/gen" gen
echo "generated $(cd gen && find . -name '*.ts' | sed 's|^\./|proto/gen/|' | sort | tr '\n' ' ')"
