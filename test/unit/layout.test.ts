/**
 * The core's rooms and the one rule between them: a room imports only rooms below it
 * (base → qianfan → state → work / download), and nothing in the core imports `vscode`.
 */
import * as assert from 'assert';
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';

const CORE = path.resolve(__dirname, '..', '..', '..', 'src', 'core');
/** Each room, and the rooms it may import (itself included). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  base: ['base'],
  qianfan: ['base', 'qianfan'],
  state: ['base', 'qianfan', 'state'],
  work: ['base', 'qianfan', 'state', 'work'],
  download: ['base', 'qianfan', 'state', 'download'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('the core in rooms', () => {
  it('every file of the core stands in a room, and each room imports only rooms below it; no vscode', () => {
    const files = sources(CORE);
    assert.ok(files.length > 40, `read ${files.length} files`);
    const wrong: string[] = [];
    for (const file of files) {
      const room = path.relative(CORE, file).split(path.sep)[0];
      assert.ok(room in MAY_IMPORT, `${path.relative(CORE, file)} stands in no room`);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        const spec = m[1];
        if (spec === 'vscode') {
          wrong.push(`${path.relative(CORE, file)} imports vscode`);
        }
        if (!spec.startsWith('.')) {
          continue;
        }
        const target = path.relative(CORE, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
        if (!MAY_IMPORT[room].includes(target)) {
          wrong.push(`${path.relative(CORE, file)} (${room}) imports ${spec} (${target})`);
        }
      }
    }
    assert.deepStrictEqual(wrong, []);
  });
});

/**
 * The floors outside the core that run without VS Code: `src/node` (Node adapters: HTTP, the
 * download's sockets and files) stands on the core; `src/cli` and `src/mcp` (the command line and
 * the MCP server) stand on node and core. None of them imports `vscode`, and nothing below them
 * (the core, node, nor the extension's folders) imports cli or mcp.
 */
const SRC = path.resolve(__dirname, '..', '..', '..', 'src');
const FLOOR_MAY_IMPORT: Record<string, readonly string[]> = {
  node: ['core', 'node'],
  cli: ['core', 'node', 'cli', 'mcp'],
  mcp: ['core', 'node', 'mcp'],
};
const NO_VSCODE = new Set(['core', 'node', 'cli', 'mcp']);

describe('the floors without VS Code', () => {
  it('node, cli and mcp import only floors below them and no vscode; nothing else imports cli or mcp', () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of sources(SRC)) {
      const rel = path.relative(SRC, file);
      const floor = rel.includes(path.sep) ? rel.split(path.sep)[0] : '.';
      const text = readFileSync(file, 'utf8');
      if (floor in FLOOR_MAY_IMPORT) {
        seen++;
      }
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        const spec = m[1];
        if (spec === 'vscode' && NO_VSCODE.has(floor)) {
          wrong.push(`${rel} imports vscode`);
        }
        if (!spec.startsWith('.')) {
          continue;
        }
        const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
        if (floor in FLOOR_MAY_IMPORT && !FLOOR_MAY_IMPORT[floor].includes(target)) {
          wrong.push(`${rel} (${floor}) imports ${spec} (${target})`);
        }
        if (!(floor in FLOOR_MAY_IMPORT) || floor === 'node') {
          if (target === 'cli' || target === 'mcp') {
            wrong.push(`${rel} (${floor}) imports ${spec}: nothing below cli and mcp imports them`);
          }
        }
      }
    }
    assert.ok(seen >= 3, `read ${seen} files in node, cli and mcp`);
    assert.deepStrictEqual(wrong, []);
  });

  it('src/platform keeps no Node adapter that the command line needs', () => {
    for (const name of ['nodeFetchTransport.ts', 'nodeHttpDownload.ts', 'nodeDownloadFs.ts']) {
      assert.ok(!readdirSync(path.join(SRC, 'platform')).includes(name), `${name} is still in src/platform`);
      assert.ok(readdirSync(path.join(SRC, 'node')).includes(name), `${name} is not in src/node`);
    }
  });
});
