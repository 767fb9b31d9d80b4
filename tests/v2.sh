#!/bin/sh
# The tests whose outcome depends on the cgroup version, on a pure cgroup-v2 kernel, in ONE batched
# ../shared/tools/vmrun call (an emulated guest; see ../shared/README.md). The same tests run natively (v1)
# in `deno task test`. Skips with a message (exit 0) where vmrun is missing or we are not root; fails when a
# test fails or when none ran.
#
#   sudo sh tests/v2.sh       # `../shared/tools/vmrun --setup` must have been run once on the machine
set -eu
cd "$(dirname "$0")/.."
VMRUN=../shared/tools/vmrun
if [ ! -x "$VMRUN" ]; then
  echo "tests/v2.sh: SKIPPED the cgroup v2 tests: $VMRUN is missing (see ../shared/README.md)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "tests/v2.sh: SKIPPED the cgroup v2 tests: vmrun must run as root"
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
status=0
# Type-checking is done on the host (deno check / deno task ok); in the guest it would cost ~30 s.
# Two launcher tests are left out in the guest (the filter drops names starting "SIG" or "aft"; Rust regex has
# no lookahead). Neither depends on the cgroup version, and both run natively:
# - "SIGTERM to the job's PID 1 ..." sends SIGTERM 100 ms after launch, which under TCG emulation reaches the
#   stage-2 sh while it is still the namespace's PID 1 (which drops it), so `sleep 1000` runs on;
# - "after 50 launches ..." takes ~75 s under emulation, half of the whole batch.
"$VMRUN" --timeout 480 -e NO_COLOR=1 -- deno test --no-check -A \
  --filter "/^([^Sa]|S[^I]|SI[^G]|a[^f]|af[^t])/" \
  agent/os/cgroup/v2_test.ts agent/os/cgroup/v2_limits_test.ts \
  tests/integration/cgroup_test.ts tests/integration/limits_test.ts tests/integration/launcher_test.ts \
  >"$log" 2>&1 || status=$?
cat "$log"
if [ "$status" = 0 ] && ! grep -Eq "ok [|] [1-9][0-9]* passed" "$log"; then
  echo "tests/v2.sh: no test ran in the guest"
  status=1
fi
echo "tests/v2.sh: cgroup v2 tests took $(($(date +%s) - start)) s in vmrun (exit $status)"
exit "$status"
