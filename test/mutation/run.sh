#!/usr/bin/env bash
# `npm run test:mutation`: runs StrykerJS (stryker.conf.mjs) with a Node that it supports (>= 22).
# The Node that runs npm is used when it is new enough; otherwise the Node 24 that
# scripts/setup-vscode-server.sh keeps in the cache ($QIANFAN_VSCODE_CACHE, default
# ~/.cache/qianfan-models/node24), installed there from the npm package node@24 if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  nodepkg="${QIANFAN_VSCODE_CACHE:-$HOME/.cache/qianfan-models}/node24"
  if [ ! -x "$nodepkg/node_modules/node/bin/node" ]; then
    echo "test:mutation: Node $major is too old for Stryker; installing node@24 into $nodepkg"
    mkdir -p "$nodepkg"
    [ -f "$nodepkg/package.json" ] || echo '{"private":true}' >"$nodepkg/package.json"
    (cd "$nodepkg" && npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund --loglevel=error node@24)
  fi
  export PATH="$nodepkg/node_modules/node/bin:$PATH"
fi
echo "test:mutation: Node $(node --version)"
# the compiled tests as they are now: an incremental run (-- --incremental) compares them with the last run's
npx tsc -p tsconfig.test.json
exec node node_modules/@stryker-mutator/core/bin/stryker.js run stryker.conf.mjs "$@"
