/** Seed data for the emulator: deterministic IDs, a small demo account and large generated ones. */

export interface VersionRecord {
  modelId: string;
  modelSetId: string;
  modelName: string;
  status: 'Ready' | 'Creating' | 'Fail';
  baseModel: string;
  sourceType: string;
  ioMode: string;
  description?: string;
  createTime: string;
  modifyTime: string;
  /** Its export ends in Fail (to test failure reporting). */
  exportFails?: boolean;
}

export interface ModelRecord {
  modelSetId: string;
  modelSetName: string;
  modelType: string;
  labels: string[];
  createTime: string;
  modifyTime: string;
  versionIds: string[];
}

export interface Fixture {
  models: ModelRecord[];
  versions: VersionRecord[];
}

export const DEMO_ACCESS_KEY = 'demoAccessKey0000000000000000001';
export const DEMO_SECRET_KEY = 'demoSecretKey0000000000000000001';

/** A small deterministic PRNG (mulberry32), so generated IDs are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function makeId(prefix: 'am' | 'amv', random: () => number): string {
  let id = '';
  for (let i = 0; i < 12; i++) {
    id += ID_CHARS[Math.floor(random() * ID_CHARS.length)];
  }
  return `${prefix}-${id}`;
}

const TIME = '2026-10-12T10:20:30+08:00';

function version(modelSetId: string, modelId: string, name: string, status: VersionRecord['status'], extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    modelId,
    modelSetId,
    modelName: name,
    status,
    baseModel: 'ERNIE-Speed-8K',
    sourceType: 'Train',
    ioMode: 'chat',
    createTime: TIME,
    modifyTime: TIME,
    ...extra,
  };
}

function model(modelSetId: string, name: string, versions: VersionRecord[], labels: string[] = []): ModelRecord {
  return {
    modelSetId,
    modelSetName: name,
    modelType: 'Text2Text',
    labels,
    createTime: TIME,
    modifyTime: TIME,
    versionIds: versions.map((v) => v.modelId),
  };
}

/** The demo account: a few models with versions in every state, fixed IDs that docs and tests can name. */
export function demoFixture(): Fixture {
  const support = [
    version('am-gh0azfeb9adu', 'amv-g73j3faikzpz', 'V1', 'Ready', { description: '客服问答 first fine-tune' }),
    version('am-gh0azfeb9adu', 'amv-34qkndzjf111', 'V2', 'Ready'),
    version('am-gh0azfeb9adu', 'amv-k2m9x7c4q1ab', 'V3', 'Creating'),
  ];
  const summarizer = [
    version('am-m0t1zde3x111', 'amv-p8r2t6y1u3io', 'V1', 'Ready', { baseModel: 'ERNIE-Lite-8K', exportFails: true }),
    version('am-m0t1zde3x111', 'amv-z9x8c7v6b5nm', 'V2', 'Fail', { baseModel: 'ERNIE-Lite-8K' }),
  ];
  const embed = [version('am-q1w2e3r4t5y6', 'amv-a1s2d3f4g5h6', 'V1', 'Ready', { ioMode: 'embedding', sourceType: 'Import' })];
  return {
    models: [
      model('am-gh0azfeb9adu', 'customer-support-zh', support, ['客服']),
      model('am-m0t1zde3x111', 'news-summarizer', summarizer),
      model('am-q1w2e3r4t5y6', 'doc-embedding', embed),
    ],
    versions: [...support, ...summarizer, ...embed],
  };
}

export interface GeneratedOptions {
  /**
   * How many of the first models have all their versions created in the same second (ties, as
   * Qianfan's whole-second times allow); the other models' versions are an hour apart.
   */
  readonly sameSecondModels?: number;
}

/** A time as Qianfan writes it: whole seconds, China's zone ("2026-10-12T10:20:30+08:00"). */
export function qianfanTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/**
 * A generated account of `modelCount` models with `versionsPerModel` versions each. Each version
 * has its own creation time, later with its number (V1 the oldest, an hour apart), but in the
 * first `options.sameSecondModels` models, whose versions share one second.
 */
export function generatedFixture(modelCount: number, versionsPerModel: number, seed = 42, options: GeneratedOptions = {}): Fixture {
  const random = prng(seed);
  const models: ModelRecord[] = [];
  const versions: VersionRecord[] = [];
  const base = Date.parse(TIME);
  for (let m = 0; m < modelCount; m++) {
    const modelSetId = makeId('am', random);
    const own: VersionRecord[] = [];
    const tied = m < (options.sameSecondModels ?? 0);
    for (let v = 0; v < versionsPerModel; v++) {
      const createTime = tied ? TIME : qianfanTime(base + v * 3600_000);
      own.push(version(modelSetId, makeId('amv', random), `V${v + 1}`, v % 7 === 6 ? 'Creating' : 'Ready', { createTime, modifyTime: createTime }));
    }
    versions.push(...own);
    models.push(model(modelSetId, `model-${m + 1}`, own));
  }
  return { models, versions };
}
