/**
 * A delete that was sent is never reported as not sent: the user's cancel stops only the deletes
 * not on the wire yet, and another caller's cancel of a shared look never reaches a delete.
 */
import * as assert from 'assert';
import { type HttpRequest, type HttpResponse } from '../../src/core/qianfan/http';
import { FixedGate } from '../../src/core/qianfan/gate';
import { QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { runDeletes } from '../../src/core/work/deletes';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { settle } from '../support/handTimers';
import { recorder } from '../support/recordingClient';

const M = 'am-gh0azfeb9adu';
const V1 = 'amv-g73j3faikzpz';
const V2 = 'amv-newversion01';

interface OnWire {
  readonly action: string;
  readonly body: Record<string, unknown>;
  readonly signal: AbortSignal;
  answer(response: HttpResponse): void;
}

const ok = (result: unknown): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ result }) });
const notFound = (): HttpResponse => ({ status: 404, headers: {}, body: JSON.stringify({ code: 'ResourceNotFound', message: 'no such version' }) });

/** A client whose every request waits on the wire until the test answers it (an abort ends it as fetch does). */
function handClient(concurrency = 10) {
  const wire: OnWire[] = [];
  const client = new QianfanClient({
    endpoint: 'https://qianfan.baidubce.com',
    credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
    transport: {
      send: (r: HttpRequest) =>
        new Promise<HttpResponse>((resolve, reject) => {
          const action = new URL(r.url).searchParams.get('Action') ?? '';
          wire.push({ action, body: JSON.parse(r.body) as Record<string, unknown>, signal: r.signal, answer: resolve });
          r.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
        }),
    },
    sleep: () => Promise.resolve(),
    limiter: new FixedGate(concurrency),
    retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const find = (action: string, modelId?: string) => wire.find((w) => w.action === action && (modelId === undefined || w.body.modelId === modelId));
  return { client, wire, find };
}

describe('deletes: one sent is never reported as not sent', () => {
  it("the user's cancel: the delete on the wire goes to its end, the one waiting is cancelled unsent", async () => {
    const { client, wire, find } = handClient(1);
    const user = new AbortController();
    const run = runDeletes([{ modelId: V1 }, { modelId: V2 }], client, { concurrency: 2, signal: user.signal, modelSetIdOf: () => M });
    await settle();
    assert.deepStrictEqual(
      wire.map((w) => w.body.modelId),
      [V1],
      'one at a time: the second waits for a place',
    );
    user.abort();
    await settle();
    assert.strictEqual(find('DeleteModel', V1)?.signal.aborted, false, 'the delete sent is not aborted');
    find('DeleteModel', V1)!.answer(ok({}));
    const outcomes = await run;
    assert.deepStrictEqual(
      outcomes.map((o) => (o.ok ? { id: o.item.modelId, ok: true } : { id: o.item.modelId, cancelled: o.cancelled })),
      [
        { id: V1, ok: true },
        { id: V2, cancelled: true },
      ],
    );
    assert.strictEqual(find('DeleteModel', V2), undefined, 'the cancelled one was never sent');
  });

  it("another caller's cancel of the shared look: the delete learns the version is gone", async () => {
    const { client, find } = handClient();
    const loader = new AbortController();
    // the tree's detail load looks first (its DescribeModelSet on the wire) ...
    const look = client.versionPresence(V1, M, { signal: loader.signal });
    await settle();
    const run = runDeletes([{ modelId: V1 }], client, { concurrency: 1, signal: new AbortController().signal, modelSetIdOf: () => M });
    await settle();
    // ... the delete is answered "not found", which sends it to look too: it joins the same look
    find('DeleteModel', V1)!.answer(notFound());
    await settle();
    loader.abort(); // a collapse: the loader stops waiting
    await assert.rejects(look, { name: 'CancelledError' });
    const set = find('DescribeModelSet');
    assert.ok(set, 'one look');
    assert.strictEqual(set.signal.aborted, false, 'the delete still waits for it');
    set.answer(ok({ modelSetId: M, modelSetName: 'm', modelIds: [V2], modelNames: ['V2'] }));
    const [outcome] = await run;
    assert.ok(outcome.ok, 'deleted (it was already gone), not "cancelled before it was sent"');
    assert.deepStrictEqual(outcome.value, { alreadyGone: true });
  });

  it('a cancel while its look runs: the outcome is the failure, not "not sent"', async () => {
    const { client, find } = handClient();
    const user = new AbortController();
    const run = runDeletes([{ modelId: V1 }], client, { concurrency: 1, signal: user.signal, modelSetIdOf: () => M });
    await settle();
    find('DeleteModel', V1)!.answer(notFound());
    await settle();
    user.abort();
    const set = find('DescribeModelSet')!;
    assert.strictEqual(set.signal.aborted, false);
    set.answer(ok({ modelSetId: M, modelSetName: 'm', modelIds: [V1], modelNames: ['V1'] }));
    const [outcome] = await run;
    assert.ok(!outcome.ok && !outcome.cancelled, 'a failure the user sees, never "cancelled before it was sent"');
  });

  it('cancelled before anything was sent: reported cancelled, nothing on the wire', async () => {
    const { client, wire } = handClient();
    const outcomes = await runDeletes([{ modelId: V1 }], client, { concurrency: 1, signal: AbortSignal.abort() });
    assert.deepStrictEqual(
      outcomes.map((o) => !o.ok && o.cancelled),
      [true],
    );
    assert.strictEqual(wire.length, 0);
  });
});

describe('the runner tells when an attempt goes on the wire', () => {
  it('once per attempt, after the gate; never for a request cancelled before it', async () => {
    let answers = 0;
    const { client } = recorder({ retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 } }, () =>
      answers++ === 0 ? { status: 503, headers: {}, body: JSON.stringify({ code: 'ServiceUnavailable', message: 'busy' }) } : ok({}),
    );
    let sends = 0;
    await client.deleteModel(V1, { onSend: () => sends++ });
    assert.strictEqual(sends, 2, 'the first attempt and its retry');
    sends = 0;
    await assert.rejects(client.deleteModel(V1, { signal: AbortSignal.abort(), onSend: () => sends++ }), { name: 'CancelledError' });
    assert.strictEqual(sends, 0);
  });
});
