/** Starts an emulator on 127.0.0.1 and builds a client for it, with short retry delays. */
import * as assert from 'assert';
import { QianfanError } from '../../src/core/qianfan/errors';
import { QianfanClient, type QianfanClientOptions, type RequestLogEntry } from '../../src/core/qianfan/qianfanClient';
import { NodeFetchTransport } from '../../src/node/nodeFetchTransport';
import { type EmulatorOptions, QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';

export interface Harness {
  emulator: QianfanEmulator;
  client: QianfanClient;
  log: RequestLogEntry[];
  makeClient(overrides?: Partial<QianfanClientOptions>): QianfanClient;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = new QianfanEmulator({ exportDurationMs: 50, ...options });
  const url = await emulator.start();
  const log: RequestLogEntry[] = [];
  const makeClient = (overrides: Partial<QianfanClientOptions> = {}) =>
    new QianfanClient({
      endpoint: url,
      credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
      transport: new NodeFetchTransport(),
      timeoutMs: 2000,
      retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
      onRequest: (entry) => log.push(entry),
      ...overrides,
    });
  return { emulator, client: makeClient(), log, makeClient };
}

/** The QianfanError a promise rejects with (the test fails if it resolves or rejects otherwise). */
export async function failureOf(promise: Promise<unknown>): Promise<QianfanError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof QianfanError, `expected a QianfanError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
