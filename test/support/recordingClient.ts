/** A client over a recording transport (no network): what each action sends, and a chosen answer. */
import { type HttpRequest, type HttpResponse } from '../../src/core/qianfan/http';
import { QianfanClient, type QianfanClientOptions, type RequestLogEntry } from '../../src/core/qianfan/qianfanClient';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';

export const V = 'amv-g73j3faikzpz';
export const M = 'am-gh0azfeb9adu';
export const RESULTS: Record<string, unknown> = {
  DescribeCustomModelSets: { customModelSetList: [], pageInfo: { isTruncated: false } },
  DescribeModelSet: { modelSetId: M },
  DescribeModel: { modelSetId: M, modelId: V, status: 'Ready' },
  DeleteModel: {},
  CreateModelExportTask: { exportId: 'exp-1' },
  DescribeModelExportTask: { hasRecord: false },
};

export interface Recorder {
  client: QianfanClient;
  sent: HttpRequest[];
  log: RequestLogEntry[];
  skews: number[];
}

export function recorder(options: Partial<QianfanClientOptions> = {}, answer?: (r: HttpRequest) => HttpResponse): Recorder {
  const sent: HttpRequest[] = [];
  const log: RequestLogEntry[] = [];
  const skews: number[] = [];
  let clock = 1_700_000_000_000;
  let mono = 0;
  const client = new QianfanClient({
    endpoint: 'https://qianfan.baidubce.com',
    credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
    transport: {
      send: (r) => {
        sent.push(r);
        const action = new URL(r.url).searchParams.get('Action') ?? '';
        return Promise.resolve(answer?.(r) ?? { status: 200, headers: { 'x-bce-request-id': 'rid' }, body: JSON.stringify({ result: RESULTS[action] }) });
      },
    },
    now: () => (clock += 7),
    monotonic: () => (mono += 21), // durations come from the monotonic clock, not the wall clock
    sleep: () => Promise.resolve(),
    onRequest: (e) => log.push(e),
    onClockSkew: (ms) => skews.push(ms),
    ...options,
  });
  return { client, sent, log, skews };
}

export const bodyOf = (r: HttpRequest): unknown => JSON.parse(r.body);
