#!/bin/sh
# Regenerates the typed gRPC stubs in proto/gen/ from proto/joblet.proto.
# Needs protoc (Debian: protobuf-compiler) and node/npx; the output is checked in, so CI needs neither.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent ts-proto@2.18.0 >/dev/null)
rm -rf gen && mkdir gen
protoc --plugin=protoc-gen-ts_proto="$tmp/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out=gen \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,importSuffix=.ts,forceLong=number,useOptionals=none,snakeToCamel=true \
  joblet.proto
echo "generated proto/gen/joblet.ts"
