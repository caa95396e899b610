/**
 * The command line as a process (node out/src/cli/main.js) against an emulator on 127.0.0.1, with
 * a state folder of its own; and the documented --json schema, checked line by line.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type EmulatorOptions, QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';

export const CLI_MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliHarness {
  readonly emulator: QianfanEmulator;
  readonly url: string;
  /** The state folder and the folder the process runs in. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  run(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Run>;
  /** The JSON lines of a run's stdout, each checked against the schema. */
  lines(run: Run): Record<string, unknown>[];
  /** Requests the emulator answered so far. */
  sent(): number;
  stop(): Promise<void>;
}

export function cliEnv(url: string, dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    QIANFAN_ACCESS_KEY: DEMO_ACCESS_KEY,
    QIANFAN_SECRET_KEY: DEMO_SECRET_KEY,
    QIANFAN_ENDPOINT: url,
    QIANFAN_MODELS_STATE_DIR: path.join(dir, 'state'),
  };
}

/** Runs the command line (`main`: the compiled one, or the bundle) to its end (at most `timeoutMs`, then it is killed and the test fails). */
export function runProcess(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 20_000, main = CLI_MAIN): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`qianfan-models ${args.join(' ')} did not end in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null' | 'number|null' | 'object|null' | 'array|null';

const ERROR_INFO: Record<string, Kind> = { code: 'string', message: 'string' };

/** The --json schema (README, "In scripts, CI and other agents"): the fields every object of a type has. */
export const JSON_SCHEMA: Record<string, Record<string, Kind>> = {
  version: { modelSetId: 'string', modelId: 'string', name: 'string|null' },
  model: { modelSetId: 'string', modelSetName: 'string', labels: 'array', versions: 'array', description: 'string|null' },
  deployment: { modelId: 'string', services: 'array' },
  delete: { modelId: 'string', label: 'string', services: 'array|null', result: 'string' },
  plan: {
    modelSetId: 'string',
    modelSetName: 'string',
    modelId: 'string',
    label: 'string',
    status: 'string|null',
    createTime: 'string|null',
    action: 'string',
  },
  export: { modelId: 'string', status: 'string', started: 'boolean', exportId: 'string|null' },
  download: { modelId: 'string', path: 'string', bytes: 'number', md5: 'string', resumedFrom: 'number' },
  error: { error: 'object' },
};

const DELETE_RESULTS = ['planned', 'refused', 'deleted', 'alreadyGone', 'failed', 'cancelled'];

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Fails unless the object is of a documented type with every field of that type. */
export function checkSchema(o: Record<string, unknown>): void {
  const fields = JSON_SCHEMA[String(o.type)];
  assert.ok(fields, `an object of no documented type: ${JSON.stringify(o)}`);
  for (const [name, kind] of Object.entries(fields)) {
    assert.ok(kind.split('|').includes(kindOf(o[name])), `${String(o.type)}.${name} is ${kindOf(o[name])}, not ${kind}: ${JSON.stringify(o)}`);
  }
  if (o.type === 'error' || o.error !== undefined) {
    for (const [name, kind] of Object.entries(ERROR_INFO)) {
      assert.strictEqual(kindOf((o.error as Record<string, unknown>)[name]), kind, `error.${name}: ${JSON.stringify(o)}`);
    }
  }
  if (o.type === 'delete') {
    assert.ok(DELETE_RESULTS.includes(String(o.result)), `delete.result ${String(o.result)}`);
  }
  if (o.type === 'plan') {
    assert.ok(o.action === 'delete' || (o.action === 'keep' && kindOf(o.reason) === 'object'), `plan: ${JSON.stringify(o)}`);
  }
  if (o.type === 'export') {
    assert.ok(['Doing', 'Done', 'Fail'].includes(String(o.status)), `export.status ${String(o.status)}`);
  }
}

export async function startCli(options: EmulatorOptions = {}): Promise<CliHarness> {
  const emulator = new QianfanEmulator({ exportDurationMs: 50, exportBytes: 64 * 1024, ...options });
  const url = await emulator.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qianfan-cli-'));
  const env = cliEnv(url, dir);
  return {
    emulator,
    url,
    dir,
    env,
    run: (args, extra = {}) => runProcess(args, { ...env, ...extra }, dir),
    lines: (run) =>
      run.stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const o = JSON.parse(l) as Record<string, unknown>;
          checkSchema(o);
          return o;
        }),
    sent: () => emulator.requests.length,
    stop: async () => {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
