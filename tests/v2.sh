#!/bin/sh
# The tests whose outcome depends on the cgroup version, on a pure cgroup-v2 kernel: one batched
# ../shared/tools/vmrun call (an emulated guest; see ../shared/README.md). The same tests run natively (v1)
# in `deno test`. Skips with a message (exit 0) where vmrun is missing; fails when a test fails.
#
#   sh tests/v2.sh            # as root; `../shared/tools/vmrun --setup` must have been run once
set -eu
cd "$(dirname "$0")/.."
VMRUN=../shared/tools/vmrun
if [ ! -x "$VMRUN" ]; then
  echo "tests/v2.sh: SKIPPED cgroup v2 tests: $VMRUN is missing (see ../shared/README.md)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "tests/v2.sh: SKIPPED cgroup v2 tests: vmrun must run as root"
  exit 0
fi
# Type-checking is done on the host (deno check / deno task ok); in the guest it would cost ~30 s.
start=$(date +%s)
status=0
"$VMRUN" --timeout 480 -e DENO_DIR -e NO_COLOR -- deno test --no-check -A \
  agent/os/cgroup/v2_test.ts agent/os/cgroup/v2_limits_test.ts \
  tests/integration/cgroup_test.ts tests/integration/limits_test.ts tests/integration/launcher_test.ts ||
  status=$?
echo "tests/v2.sh: cgroup v2 tests took $(($(date +%s) - start)) s in vmrun (exit $status)"
exit "$status"
