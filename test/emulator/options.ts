/** The emulator's demo options, shared by `npm run emulator` and `npm start`. */
import { type OptionSpec, type ParsedOptions, UsageError } from '../support/cli';
import { type Dialect, DIALECT_NAMES, dialectNamed } from './dialects';
import { QianfanEmulator } from './emulator';
import { demoFixture, generatedFixture } from './fixture';

export const EMULATOR_OPTIONS: readonly OptionSpec[] = [
  { name: 'models', env: 'QIANFAN_DEMO_MODELS', kind: 'count', fallback: 0, help: 'a generated account of N models (0: the 3 demo models)' },
  { name: 'versions', env: 'QIANFAN_DEMO_VERSIONS', kind: 'count', fallback: 3, help: 'versions per generated model' },
  { name: 'latency', env: 'QIANFAN_DEMO_LATENCY_MS', kind: 'count', fallback: 0, help: 'added to every answer, in ms' },
  {
    name: 'export-bytes',
    env: 'QIANFAN_DEMO_EXPORT_BYTES',
    kind: 'count',
    fallback: 8_388_608,
    help: 'the size of each export file the emulator serves, in bytes',
  },
  {
    name: 'rate-limit',
    env: 'QIANFAN_DEMO_RATE_LIMIT',
    kind: 'count',
    fallback: 0,
    help: 'requests per second (any 1-second window) beyond which the answer is HTTP 429 with Retry-After (0: no limit)',
  },
  { name: 'export-ms', env: 'QIANFAN_DEMO_EXPORT_MS', kind: 'count', fallback: 5000, help: 'how long an export stays Doing, in ms' },
  {
    name: 'same-second',
    env: 'QIANFAN_DEMO_SAME_SECOND',
    kind: 'count',
    fallback: 0,
    help: 'how many of the generated models have all their versions created in the same second (the others: V1 the oldest, an hour apart)',
  },
  {
    name: 'dialect',
    env: 'QIANFAN_DEMO_DIALECT',
    kind: 'text',
    fallback: 'today',
    help: `how to answer where Baidu's sources allow several answers: ${DIALECT_NAMES.join(', ')} (see CONTRIBUTING or test/emulator/dialects.ts)`,
  },
];

const MAX_VERSIONS = 200_000;

/** An emulator built from parsed options (not started). */
export function emulatorFrom(options: ParsedOptions): QianfanEmulator {
  const models = Number(options.models);
  const versions = Number(options.versions);
  if (models > 0 && (versions < 1 || models * versions > MAX_VERSIONS)) {
    throw new UsageError(`--models × --versions must be between 1 and ${MAX_VERSIONS}`);
  }
  return new QianfanEmulator({
    fixture: models > 0 ? generatedFixture(models, versions, undefined, { sameSecondModels: Number(options['same-second']) }) : demoFixture(),
    latencyMs: Number(options.latency),
    exportDurationMs: Number(options['export-ms']),
    exportBytes: Number(options['export-bytes']),
    rateLimit: Number(options['rate-limit']),
    dialect: dialectOption(String(options.dialect)),
  });
}

function dialectOption(name: string): Dialect {
  try {
    return dialectNamed(name);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** "3 models, 6 versions" for the banner. */
export function describeAccount(emulator: QianfanEmulator): string {
  return `${emulator.store.models.size} models, ${emulator.store.versions.size} versions`;
}
