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
