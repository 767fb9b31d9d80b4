#!/bin/sh
# The install on a bare systemd host, end to end, in ONE boot of a throw-away cgroup-v2 guest
# (../shared/tools/vmrun --systemd, emulated: a few minutes):
#   joblet install --address 0.0.0.0:50051 --server-name … → systemctl is-active joblet → the server certificate
#   names the guest, and rnx reaches the agent at the guest's non-loopback address with the generated config →
#   rnx job run echo hi → joblet doctor sees cgroup v2 and its delegated controllers → a job on a custom network
#   writes to a filesystem and a memory volume → restart while a job runs (the job ends STOPPED) → upgrade by
#   installing a changed bundle (records, logs, volumes and networks survive) → with a job running on that
#   network and volumes, joblet uninstall --purge --yes leaves no unit, program, cgroup, bridge, veth, nft table,
#   loop device, mount, state dir, /etc/joblet or rnx config.
#
#   sudo sh tests/vm/systemd_test.sh          # builds the bundles on the host, boots the guest, runs the steps
#
# Skips (exit 0) where vmrun, its one-time setup or qemu is missing, or when not root. Ends with a summary line
# in deno test's form ("ok | 12 passed | 0 failed"), one test per step, which .ci/run adds up.
set -eu
cd "$(dirname "$0")/../.."
me=tests/vm/systemd_test.sh
if [ "${1:-}" != "--in-guest" ]; then
  VMRUN=${VMRUN:-../shared/tools/vmrun}
  skip() {
    echo "$me: SKIPPED the systemd install scenario: $*"
    echo "ok | 0 passed | 0 failed | 1 ignored ($me)"
    exit 0
  }
  [ -x "$VMRUN" ] || skip "$VMRUN is missing (see ../shared/README.md)"
  [ "$(id -u)" = 0 ] || skip "vmrun must run as root"
  [ -r "${VMRUN_HOME:-/var/cache/vmrun}/current" ] || skip "vmrun is not set up (run: $VMRUN --setup)"
  command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing (run: $VMRUN --setup)"
  work=.state/vm-systemd
  rm -rf "$work" && mkdir -p "$work"
  QUIET=1 sh bin/dist.sh "$work/v1"
  # The "new version": the same bundle, changed, so the install sees a different program.
  cp -r "$work/v1" "$work/v2" && echo "// upgraded" >>"$work/v2/joblet.js"
  : >"$work/steps"
  start=$(date +%s)
  status=0
  # timeout(1), not vmrun's --timeout: vmrun's watchdog leaves a `sleep 1500` behind that keeps our stdout open,
  # so whoever reads it through a pipe (CI's tee) would wait the full 25 minutes. On TERM vmrun stops the VM.
  timeout -k 30 1500 "$VMRUN" --systemd -e NO_COLOR=1 -- sh "$me" --in-guest "$PWD/$work" || status=$?
  passed=$(grep -c '^PASS' "$work/steps" || true)
  failed=$(grep -c '^FAIL' "$work/steps" || true)
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    echo "$me: the guest ended with exit $status before its steps finished (124: timeout, 125: vmrun failed)"
    failed=1
  fi
  [ "$status" = 0 ] && [ "$passed" = 0 ] && { echo "$me: no step ran in the guest"; failed=1; }
  rm -rf "$work"
  secs=$(($(date +%s) - start))
  if [ "$failed" = 0 ]; then
    echo "ok | $passed passed | 0 failed ($me in a cgroup-v2 guest, $secs s)"
    exit 0
  fi
  echo "FAILED | $passed passed | $failed failed ($me in a cgroup-v2 guest, $secs s)"
  exit 1
fi

# ------------------------------------------------------------------------------------------- in the guest
work=$2
export HOME=/root DENO_DIR=/tmp/deno-dir DENO_NO_UPDATE_CHECK=1
t0=$(date +%s)
current=
step() {
  [ -z "$current" ] || echo "PASS $current" >>"$work/steps"
  current=$*
  echo "== [$(($(date +%s) - t0)) s] $*"
}
fail() {
  echo "FAIL: $*"
  echo "FAIL $current: $*" >>"$work/steps"
  journalctl -u joblet --no-pager -n 40 || true
  exit 1
}
wait_active() { # polls cheaply (each rnx call is a Deno start, seconds under emulation), then asks once
  for _ in $(seq 1 600); do
    systemctl is-active --quiet joblet && ss -ltn | grep -q ':50051 ' && break
    sleep 0.2
  done
  rnx version >/dev/null 2>&1 || fail "joblet did not become active and reachable: $(rnx version 2>&1)"
}
job_id() { sed -n 's/.*"id": *"\([0-9a-f-]\{36\}\)".*/\1/p' | head -1; }

# The guest's / is the host's, read-only under a tmpfs overlay: drop what a joblet on the host left there (in the
# overlay only), so this is a bare host. It has only "lo": give it a second address, and have its host name
# (and one more name) resolve to that, as on a host with a real NIC.
rm -rf /var/lib/joblet /etc/joblet /root/.rnx /usr/local/bin/joblet /usr/local/bin/rnx /usr/local/lib/joblet
host=$(hostname)
addr=10.77.0.1
ip link add vmnic0 type dummy && ip addr add "$addr/24" dev vmnic0 && ip link set vmnic0 up
{ echo "$addr $host joblet-vm.test"; grep -v "[[:space:]]$host\([[:space:]]\|$\)" /etc/hosts || true; } >/tmp/hosts
cat /tmp/hosts >/etc/hosts

step "joblet install --address 0.0.0.0:50051 --server-name $host … (from the bundle)"
names="--server-name $host --server-name joblet-vm.test --server-name $addr"
# shellcheck disable=SC2086 # $names is several words on purpose
"$work/v1/bin/joblet" install --address 0.0.0.0:50051 $names
systemctl is-active joblet || fail "joblet.service is not active after install"
wait_active
grep -q '^Delegate=yes' /etc/systemd/system/joblet.service || fail "the unit does not delegate cgroups"

step "the certificate names the guest; rnx reaches it at $addr with the generated config"
sans=$(openssl x509 -noout -ext subjectAltName -in /var/lib/joblet/pki/server.crt)
for want in "DNS:$host" "DNS:joblet-vm.test" "IP Address:$addr" "DNS:localhost"; do
  echo "$sans" | grep -qF "$want" || fail "server certificate lacks $want: $sans"
done
grep -q "address: $host:50051" /root/.rnx/rnx-config.yml || fail "rnx config: $(grep address: /root/.rnx/rnx-config.yml)"
[ "$(getent hosts "$host" | cut -d' ' -f1)" = "$addr" ] || fail "$host does not resolve to $addr"
ss -ltn | grep -q '0\.0\.0\.0:50051' || fail "the agent does not listen on 0.0.0.0:50051: $(ss -ltn)"
# By IP: the same config with the address and the TLS name swapped (grpc-js wants a name to verify).
sed "s/address: $host:50051/address: $addr:50051\n    server_name: joblet-vm.test/" /root/.rnx/rnx-config.yml >/tmp/byip.yml
rnx --config /tmp/byip.yml version >/tmp/byip.out 2>&1 || fail "rnx by IP: $(cat /tmp/byip.out)"
grep -q "^Server: *joblet" /tmp/byip.out || fail "rnx by IP reached no agent: $(cat /tmp/byip.out)"

step "install again: nothing changes"
# shellcheck disable=SC2086
"$work/v1/bin/joblet" install --address 0.0.0.0:50051 $names | tee /tmp/again
grep -q "nothing changed" /tmp/again || fail "a second install changed something"

step "rnx job run echo hi"
out=$(rnx job run --follow echo hi) || fail "rnx job run failed: $out"
echo "$out" | grep -qx hi || fail "expected 'hi', got: $out"
first=$(rnx job list --json | job_id)
[ -n "$first" ] || fail "no job in rnx job list"

step "joblet doctor (cgroup v2 guest; its tmpfs root has < 1 GiB free, so disk space may FAIL here)"
joblet doctor >/tmp/doctor || true
cat /tmp/doctor
grep -q "^cgroups *OK *v2 at /sys/fs/cgroup, delegated: cpu cpuset io memory pids" /tmp/doctor ||
  fail "doctor did not see cgroup v2 with every controller"
grep "FAIL" /tmp/doctor | grep -v "^disk space" && fail "doctor failed a check other than disk space"

step "volumes (filesystem, memory) and a custom network: a job writes to both volumes on that network"
rnx volume create data --size 32MB >/dev/null || fail "rnx volume create data failed"
rnx volume create scratch --type memory --size 8MB >/dev/null || fail "rnx volume create scratch failed"
rnx network create vmnet --cidr 10.78.0.0/24 >/dev/null || fail "rnx network create vmnet failed"
out=$(rnx job run --follow --volume data --volume scratch --network vmnet \
  sh -c 'echo kept >/volumes/data/f && echo tmp >/volumes/scratch/f && grep -o "10\.78\.0\.[0-9]*" /proc/net/fib_trie | head -1') ||
  fail "the job on vmnet with volumes failed: $out"
echo "$out" | grep -q '^10\.78\.0\.' || fail "the job had no address on vmnet: $out"

step "restart while a job runs: the job ends STOPPED"
running=$(rnx job run --json sleep 300 | job_id)
[ -n "$running" ] || fail "could not start the sleep job"
systemctl restart joblet
wait_active
rnx job status --json "$running" | grep -q '"status": *"STOPPED"' || fail "$(rnx job status "$running")"

step "upgrade: install the new bundle; jobs, logs, volumes and networks survive"
# shellcheck disable=SC2086
"$work/v2/bin/joblet" install --address 0.0.0.0:50051 $names | tee /tmp/upgrade
grep -q "restarted joblet.service" /tmp/upgrade || fail "the upgrade did not restart the agent"
grep -q "// upgraded" /usr/local/lib/joblet/joblet.js || fail "the new bundle is not in place"
wait_active
[ "$(rnx job log "$first")" = hi ] || fail "the first job's log did not survive the upgrade"
rnx job status --json "$running" | grep -q STOPPED || fail "the stopped job's record did not survive"

step "a job on vmnet with both volumes runs; the filesystem volume kept its data"
last=$(rnx job run --json --volume data --volume scratch --network vmnet sleep 300 | job_id)
[ -n "$last" ] || fail "could not start the job on vmnet"
[ "$(cat /var/lib/joblet/volumes/data/mnt/f)" = kept ] || fail "the filesystem volume lost its data"
for _ in $(seq 1 300); do ls /sys/class/net | grep -q '^jv' && break; sleep 0.2; done # the job is on vmnet
# What the purge must take away is there now: mounts, a loop device, a bridge, a veth, the nft table.
grep -q " /var/lib/joblet/volumes/data/mnt " /proc/self/mountinfo || fail "the data volume is not mounted"
grep -q " /var/lib/joblet/volumes/scratch/mnt " /proc/self/mountinfo || fail "the scratch volume is not mounted"
losetup -a | grep -q /var/lib/joblet/ || fail "no loop device for the data volume: $(losetup -a)"
ls /sys/class/net | grep -q '^jv' || fail "no job veth: $(ls /sys/class/net)"
[ "$(ls /sys/class/net | grep -c '^joblet')" -ge 1 ] || fail "no joblet bridge: $(ls /sys/class/net)"
nft list tables | grep -q 'joblet' || fail "no joblet nft table: $(nft list tables)"

step "joblet uninstall --purge --yes (a job running) leaves nothing"
joblet uninstall --purge --yes || fail "joblet uninstall --purge --yes failed"
[ ! -e /etc/systemd/system/joblet.service ] || fail "unit file left"
systemctl list-units --all --no-legend | grep -q joblet && fail "a joblet unit is still loaded"
[ ! -e /usr/local/bin/joblet ] && [ ! -e /usr/local/bin/rnx ] && [ ! -e /usr/local/lib/joblet ] ||
  fail "program left"
[ ! -e /var/lib/joblet ] || fail "state dir left: $(find /var/lib/joblet | head)"
[ ! -e /etc/joblet ] && [ ! -e /root/.rnx/rnx-config.yml ] || fail "config left"
left=$(find /sys/fs/cgroup -name 'joblet*' -type d 2>/dev/null || true)
[ -z "$left" ] || fail "cgroups left: $left"
links=$(ls /sys/class/net | grep -E '^(joblet|jv)' || true)
[ -z "$links" ] || fail "network links left: $links"
nft list tables | grep -q joblet && fail "nft table left: $(nft list tables)"
losetup -a | grep -q /var/lib/joblet && fail "loop device left: $(losetup -a)"
grep -q " /var/lib/joblet" /proc/self/mountinfo && fail "mounts left: $(grep /var/lib/joblet /proc/self/mountinfo)"
pgrep -x sleep >/dev/null && fail "job processes left: $(pgrep -ax sleep)"
echo "PASS $current" >>"$work/steps"
echo "== [$(($(date +%s) - t0)) s] all steps passed"
