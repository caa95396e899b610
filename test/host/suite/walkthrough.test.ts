/**
 * The getting-started walkthrough (contributes.walkthroughs) as the workbench sees it. VS Code has
 * no API that reads a step's completion, so this suite checks what the extension host can: the
 * walkthrough opens, the workbench's walkthrough service knows each step by its full ID, the
 * texts arrive localized, and each step's completion commands are registered here and do their
 * work when run through the workbench's command service; the steps complete on context keys
 * (`onContext:`), and the last one on a flag remembered once a version was acted on. The browser e2e (test/e2e/walkthrough.test.ts) sees the steps
 * checked in the page itself.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { ACTED_KEY, WALKTHROUGH_KEYS } from '../../../src/core/state/walkthrough';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, ourExtension, run, setUp, tearDown, treeLines, waitFor } from './harness';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}

function walkthrough(): { extensionId: string; walkthrough: Walkthrough } {
  const ext = ourExtension();
  assert.ok(ext);
  const [w] = (ext.packageJSON as { contributes: { walkthroughs?: Walkthrough[] } }).contributes.walkthroughs ?? [];
  assert.ok(w, 'a walkthrough is contributed');
  return { extensionId: ext.id, walkthrough: w };
}

const allTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);

describe('the getting-started walkthrough', () => {
  let f: Fixture;
  beforeEach(async () => (f = await setUp({ signedIn: false })));
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await tearDown(f);
  });

  it('opens with workbench.action.openWalkthrough, and the workbench knows each step by <publisher>.<name>#<walkthrough>#<step>', async () => {
    const { extensionId, walkthrough: w } = walkthrough();
    assert.strictEqual(extensionId, 'qianfan-tools.qianfan-models');
    // the texts reach the workbench resolved from package.nls*.json, in the display language
    for (const text of [w.title, w.description, ...w.steps.flatMap((s) => [s.title, s.description, s.media.altText ?? ''])]) {
      assert.ok(text && !/^%.*%$/.test(text), `localized: ${text}`);
    }
    const before = allTabs().length;
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${w.id}`, false);
    const tab = await waitFor('the walkthrough tab', () =>
      allTabs().find((t) => !(t.input instanceof vscode.TabInputText) && !(t.input instanceof vscode.TabInputWebview)),
    );
    assert.strictEqual(allTabs().length, before + 1, `opened: ${tab.label}`);
    // welcome.markStepIncomplete looks the step up in the walkthrough service and throws for an ID it
    // does not know; the steps register a moment after the service reads the extension's manifest
    const known = (id: string) =>
      Promise.resolve(vscode.commands.executeCommand('welcome.markStepIncomplete', id)).then(
        () => true,
        () => false,
      );
    for (const step of w.steps) {
      const id = `${extensionId}#${w.id}#${step.id}`;
      await waitFor(`the step ${id}`, () => known(id), 10_000);
    }
    assert.strictEqual(await known(`${extensionId}#${w.id}#noSuchStep`), false, 'an unknown step is refused');
    assert.strictEqual(await known(`${extensionId}#noSuchWalkthrough#${w.steps[0].id}`), false, 'so is a step of an unknown walkthrough');
  });

  it("each step completes on a context key of this extension, and its buttons' commands reach that state when the workbench runs them", async () => {
    const { walkthrough: w } = walkthrough();
    const events = w.steps.flatMap((s) => s.completionEvents ?? []);
    assert.ok(events.length >= w.steps.length, 'every step has a completion event');
    for (const event of events) {
      const m = /^onContext:(qianfan\.\w+)$/.exec(event);
      assert.ok(m && (Object.values(WALKTHROUGH_KEYS) as string[]).includes(m[1]), `${event} names a walkthrough key of this extension`);
    }
    await f.api.services.store.update(ACTED_KEY, undefined); // an earlier suite deleted or exported
    assert.strictEqual(f.api.services.acted.acted, false, 'nothing acted on yet');
    // runCommands is the workbench's: it runs each command through the workbench's command
    // service, as the step's buttons do
    f.prompts.inputs.push(DEMO_ACCESS_KEY, DEMO_SECRET_KEY);
    await run('runCommands', { commands: ['qianfan.setCredentials'] });
    assert.strictEqual((await f.api.services.credentials.get())?.accessKeyId, DEMO_ACCESS_KEY, 'step 1: the keys are set');
    f.prompts.inputs.push('amv-g73j3faikzpz');
    await run('runCommands', { commands: ['qianfan.trackVersion'] });
    assert.ok(f.api.services.tracked.has('amv-g73j3faikzpz'), 'step 2: the version is tracked');
    await treeLines(f.api); // the view loads its status: only a Ready version is offered for export
    await waitFor('the status', () => f.api.services.details.liveStatus('amv-g73j3faikzpz') === 'Ready');
    f.prompts.picks.push((items: readonly { label: string; target?: { modelId: string } }[]) => {
      const item = items.find((i) => i.target?.modelId === 'amv-g73j3faikzpz');
      assert.ok(item, 'the picker offers the tracked version');
      return item;
    });
    await run('runCommands', { commands: ['qianfan.exportVersion'] });
    await waitFor('step 3: the export', () => f.emulator.store.exportsCreated === 1);
    await waitFor('step 3: remembered', () => f.api.services.acted.acted);
  });
});
