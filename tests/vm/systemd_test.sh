#!/bin/sh
# The install on a bare systemd host, end to end, in a throw-away cgroup-v2 guest (../shared/tools/vmrun --systemd):
#   joblet install → systemctl is-active joblet → rnx job run echo hi → joblet doctor → restart while a job runs
#   (the job ends STOPPED) → upgrade by installing a changed bundle (records and logs survive) →
#   joblet uninstall --purge --yes leaves no unit, cgroup, bridge, loop device, config or state.
# Slow (emulated guest, ~minutes); not part of `deno task test`.
#
#   sudo sh tests/vm/systemd_test.sh          # on the host: builds the bundles, boots the guest, runs the steps
set -eu
cd "$(dirname "$0")/../.."
if [ "${1:-}" != "--in-guest" ]; then
  VMRUN=${VMRUN:-../shared/tools/vmrun}
  [ -x "$VMRUN" ] || { echo "SKIPPED: $VMRUN is missing (see ../shared/README.md)"; exit 0; }
  [ "$(id -u)" = 0 ] || { echo "SKIPPED: vmrun must run as root"; exit 0; }
  work=.state/vm-systemd
  rm -rf "$work" && mkdir -p "$work"
  QUIET=1 sh bin/dist.sh "$work/v1"
  # The "new version": the same bundle, changed, so the install sees a different program.
  cp -r "$work/v1" "$work/v2" && echo "// upgraded" >> "$work/v2/joblet.js"
  start=$(date +%s)
  status=0
  "$VMRUN" --systemd --timeout 900 -e NO_COLOR=1 -- sh tests/vm/systemd_test.sh --in-guest "$PWD/$work" || status=$?
  echo "tests/vm/systemd_test.sh: exit $status in $(($(date +%s) - start)) s"
  rm -rf "$work"
  exit $status
fi

# ------------------------------------------------------------------------------------------- in the guest
work=$2
export HOME=/root DENO_DIR=/tmp/empty-deno-dir DENO_NO_UPDATE_CHECK=1
t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0)) s] $*"; }
fail() { echo "FAIL: $*"; journalctl -u joblet --no-pager -n 60 || true; exit 1; }
wait_active() {
  for _ in $(seq 1 240); do
    systemctl is-active --quiet joblet && rnx version >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "joblet did not become active and reachable"
}

# The guest's / is the host's, read-only under a tmpfs overlay: drop what a joblet on the host left there (in the
# overlay only), so this is a bare host.
rm -rf /var/lib/joblet /etc/joblet /root/.rnx /usr/local/bin/joblet /usr/local/bin/rnx /usr/local/lib/joblet

step "joblet install (from the bundle)"
"$work/v1/bin/joblet" install --address 127.0.0.1:50051 --server-name vmrun.test
systemctl is-active joblet || fail "joblet.service is not active after install"
wait_active
[ -f /etc/systemd/system/joblet.service ] && grep -q '^Delegate=yes' /etc/systemd/system/joblet.service

step "install again: nothing changes"
"$work/v1/bin/joblet" install --address 127.0.0.1:50051 --server-name vmrun.test | tee /tmp/again
grep -q "nothing changed" /tmp/again || fail "a second install changed something"

step "rnx job run echo hi"
out=$(rnx job run --follow echo hi) || fail "rnx job run failed: $out"
echo "$out" | grep -qx hi || fail "expected 'hi', got: $out"
first=$(rnx job list --json | sed -n 's/.*"id": *"\([0-9a-f-]\{36\}\)".*/\1/p' | head -1)
[ -n "$first" ] || fail "no job in rnx job list"

step "joblet doctor (cgroup v2 guest; its tmpfs root has < 1 GiB free, so disk space may FAIL here)"
joblet doctor >/tmp/doctor || true
cat /tmp/doctor
grep -q "^cgroups *OK *v2 at /sys/fs/cgroup, delegated: cpu cpuset io memory pids" /tmp/doctor ||
  fail "doctor did not see cgroup v2 with every controller"
grep "FAIL" /tmp/doctor | grep -v "^disk space" && fail "doctor failed a check other than disk space"

step "restart while a job runs: the job ends STOPPED"
running=$(rnx job run --json sleep 300 | sed -n 's/.*"id": *"\([0-9a-f-]\{36\}\)".*/\1/p' | head -1)
[ -n "$running" ] || fail "could not start the sleep job"
systemctl restart joblet
wait_active
rnx job status --json "$running" | grep -q '"status": *"STOPPED"' || fail "$(rnx job status "$running")"

step "upgrade: install the new bundle; jobs and logs survive"
"$work/v2/bin/joblet" install --address 127.0.0.1:50051 --server-name vmrun.test | tee /tmp/upgrade
grep -q "restarted joblet.service" /tmp/upgrade || fail "the upgrade did not restart the agent"
grep -q "// upgraded" /usr/local/lib/joblet/joblet.js || fail "the new bundle is not in place"
wait_active
[ "$(rnx job log "$first")" = hi ] || fail "the first job's log did not survive the upgrade"
rnx job status --json "$running" | grep -q STOPPED || fail "the stopped job's record did not survive"

step "joblet uninstall --purge --yes leaves nothing"
joblet uninstall --purge --yes
[ ! -e /etc/systemd/system/joblet.service ] || fail "unit file left"
systemctl list-units --all --no-legend | grep -q joblet && fail "a joblet unit is still loaded"
[ ! -e /usr/local/bin/joblet ] && [ ! -e /usr/local/lib/joblet ] || fail "program left"
[ ! -e /var/lib/joblet ] && [ ! -e /etc/joblet ] && [ ! -e /root/.rnx/rnx-config.yml ] || fail "state left"
left=$(find /sys/fs/cgroup -name 'joblet*' -type d 2>/dev/null || true)
[ -z "$left" ] || fail "cgroups left: $left"
ls /sys/class/net | grep -q '^joblet' && fail "bridge left"
losetup -a | grep -q /var/lib/joblet && fail "loop device left"
step "all steps passed"
