/** Where a file really goes (issue 29): a link inside a folder that leads elsewhere is outside it. */
import * as assert from 'assert';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { isWithin, realPathOf, realPathWithin } from '../../src/core/download/realPlace';

describe('the real place of a download', () => {
  let top: string;
  let workspace: string;
  let elsewhere: string;

  beforeEach(() => {
    top = realpathSync(mkdtempSync(path.join(tmpdir(), 'qianfan-place-')));
    workspace = path.join(top, 'workspace');
    elsewhere = path.join(top, 'elsewhere');
    mkdirSync(path.join(workspace, 'models'), { recursive: true });
    mkdirSync(elsewhere);
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('a folder inside, existing or not, is inside', async () => {
    assert.strictEqual(await realPathWithin(path.join(workspace, 'models', 'a.tar.gz'), [workspace]), path.join(workspace, 'models', 'a.tar.gz'));
    assert.strictEqual(await realPathWithin(path.join(workspace, 'new', 'deeper', 'a.tar.gz'), [workspace]), path.join(workspace, 'new', 'deeper', 'a.tar.gz'));
    assert.strictEqual(await realPathWithin(workspace, [workspace]), workspace);
  });

  it('a link in the workspace to a folder elsewhere is outside, though its path text is inside', async () => {
    symlinkSync(elsewhere, path.join(workspace, 'linked'));
    const target = path.join(workspace, 'linked', 'sub', 'a.tar.gz');
    assert.strictEqual(await realPathOf(target), path.join(elsewhere, 'sub', 'a.tar.gz'));
    assert.strictEqual(await realPathWithin(target, [workspace]), undefined);
    assert.strictEqual(await realPathWithin(target, [workspace, elsewhere]), path.join(elsewhere, 'sub', 'a.tar.gz'), 'inside another folder of the workspace');
  });

  it('a file that is a link to elsewhere, and a link that leads nowhere yet, are outside', async () => {
    writeFileSync(path.join(elsewhere, 'bashrc'), '');
    symlinkSync(path.join(elsewhere, 'bashrc'), path.join(workspace, 'models', 'a.tar.gz.part'));
    assert.strictEqual(await realPathWithin(path.join(workspace, 'models', 'a.tar.gz.part'), [workspace]), undefined);
    symlinkSync(path.join(elsewhere, 'not-yet', 'dir'), path.join(workspace, 'dangling'));
    assert.strictEqual(await realPathOf(path.join(workspace, 'dangling', 'a.tar.gz')), path.join(elsewhere, 'not-yet', 'dir', 'a.tar.gz'));
    assert.strictEqual(await realPathWithin(path.join(workspace, 'dangling', 'a.tar.gz'), [workspace]), undefined);
  });

  it('a workspace folder opened through a link is judged by its real path', async () => {
    symlinkSync(workspace, path.join(top, 'opened'));
    const opened = path.join(top, 'opened');
    assert.strictEqual(await realPathWithin(path.join(opened, 'models', 'a.tar.gz'), [opened]), path.join(workspace, 'models', 'a.tar.gz'));
  });

  it('a loop of links is an error, not a hang', async () => {
    symlinkSync(path.join(workspace, 'b'), path.join(workspace, 'a'));
    symlinkSync(path.join(workspace, 'a'), path.join(workspace, 'b'));
    await assert.rejects(realPathOf(path.join(workspace, 'a', 'x')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
  });

  it('inside means the folder itself or below it, not a neighbour that shares its start', () => {
    assert.ok(isWithin('/w', '/w') && isWithin('/w', '/w/a') && isWithin('/w', '/w/..a'));
    assert.ok(!isWithin('/w', '/wx') && !isWithin('/w', '/') && !isWithin('/w', '/w/../x'));
  });
});
