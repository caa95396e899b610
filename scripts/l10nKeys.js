// Lists every string passed to vscode.l10n.t() in src/, as the l10n bundles key them.
// Used by the localization test; `node scripts/l10nKeys.js` prints them as JSON.
const { readdirSync, readFileSync, statSync } = require('fs');
const path = require('path');

const CALL = /l10n\.t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function unquote(literal) {
  if (literal.startsWith('"')) {
    return JSON.parse(literal);
  }
  const body = literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"');
  return JSON.parse(`"${body}"`);
}

function l10nKeys(root) {
  const keys = new Set();
  for (const file of files(path.join(root, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(CALL)) {
      keys.add(unquote(m[1]));
    }
  }
  return [...keys].sort();
}

module.exports = { l10nKeys };
if (require.main === module) {
  console.log(JSON.stringify(l10nKeys(path.resolve(__dirname, '..')), null, 2));
}
