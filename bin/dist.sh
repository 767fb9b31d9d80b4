#!/bin/sh
# Offline build: each program as one bundled file (npm packages inlined) plus a launcher that needs only `deno`.
#   dist/joblet.js, dist/rnx.js    the bundles (run with an empty Deno cache)
#   dist/bin/joblet, dist/bin/rnx  launchers: copy dist/ anywhere, put dist/bin on PATH
set -eu
cd "$(dirname "$0")/.."
mkdir -p dist/bin
deno bundle --quiet --platform=deno -o dist/joblet.js agent/main.ts
deno bundle --quiet --platform=deno -o dist/rnx.js cli/main.ts
for p in joblet rnx; do
  cat > "dist/bin/$p" <<SH
#!/bin/sh
# Launcher for the bundled $p; needs deno 2.9.3 on PATH.
here=\$(CDPATH= cd -- "\$(dirname -- "\$0")" && pwd)
DENO_NO_UPDATE_CHECK=1 exec deno run -A --no-prompt --no-config "\$here/../$p.js" "\$@"
SH
  chmod +x "dist/bin/$p"
done
ls -l dist dist/bin
