#!/bin/sh
# Offline build: each program as one bundled file (npm packages inlined) plus a launcher that needs only `deno`.
#   <out>/joblet.js, <out>/rnx.js    the bundles (run with an empty Deno cache: nothing is fetched)
#   <out>/bin/joblet, <out>/bin/rnx  launchers: copy <out> anywhere, put <out>/bin on PATH
# <out> is dist/ unless given: sh bin/dist.sh /tmp/out
# Install on a host from it: sudo <out>/bin/joblet install (copies the bundles to /usr/local/lib/joblet and writes
# launchers to /usr/local/bin; docs/install.md).
set -eu
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out/bin"
deno bundle --quiet --platform=deno -o "$out/joblet.js" agent/main.ts
deno bundle --quiet --platform=deno -o "$out/rnx.js" cli/main.ts
for p in joblet rnx; do
  cat > "$out/bin/$p" <<SH
#!/bin/sh
# Launcher for the bundled $p; needs deno 2.9.3 on PATH.
here=\$(CDPATH= cd -- "\$(dirname -- "\$0")" && pwd)
DENO_NO_UPDATE_CHECK=1 exec deno run -A --no-prompt --no-config "\$here/../$p.js" "\$@"
SH
  chmod +x "$out/bin/$p"
done
[ -n "${QUIET:-}" ] || ls -l "$out" "$out/bin"
