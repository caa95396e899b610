/**
 * `qianfan-models`: the commands, their options and help (commander), each a thin call into
 * read.ts / write.ts on the core. Every problem with the command line (an unknown option, a
 * malformed ID, a missing key) is one line and exit 2, before anything is sent.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError } from 'commander';
import { type CleanUpRule, ruleNumber } from '../core/work/cleanUp';
import { ConfigError, endpointFrom, keysFrom } from '../node/environment';
import { type Context, makeContext, modelSetId, versionId } from './context';
import { EXIT, type ExitCode, Output, type Stream, UsageError } from './output';
import { describe, list, services } from './read';
import { type Ask, cleanUp, deleteVersions, download, exportVersion } from './write';

export interface Io {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on Ctrl+C. */
  readonly signal: AbortSignal;
  /** Starts the MCP server (its own module, loaded only for `mcp`). */
  readonly startMcp: (io: { endpoint?: string; env: NodeJS.ProcessEnv; version: string }) => Promise<void>;
}

/** The package's version, from the package.json above this file (the bundle's or the compiled tests'). */
export function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'qianfan-models' && pkg.version) {
        return pkg.version;
      }
    } catch {
      // not here: one folder up
    }
  }
  return '0.0.0';
}

const EXIT_HELP = `
Keys come only from the environment: QIANFAN_ACCESS_KEY and QIANFAN_SECRET_KEY.
The endpoint: --endpoint or QIANFAN_ENDPOINT (https; plain http only for 127.0.0.1 / localhost).
--json writes one JSON object per line per result (errors too); see the README for the schema.
Exit codes: 0 done, 1 failed, 2 usage (nothing sent), 3 partly done.`;

function whole(name: string): (value: string) => number {
  return (value) => {
    const n = ruleNumber(value);
    if (n === undefined) {
      throw new UsageError(`${name} takes a whole number, 1 or more (not "${value.slice(0, 20)}")`);
    }
    return n;
  };
}

function collect(parse: (v: string) => string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

function ruleOf(o: { keepNewest?: number; olderThan?: number; failed?: boolean }): CleanUpRule {
  const rules: CleanUpRule[] = [
    ...(o.keepNewest !== undefined ? [{ kind: 'keepNewest' as const, count: o.keepNewest }] : []),
    ...(o.olderThan !== undefined ? [{ kind: 'olderThan' as const, days: o.olderThan }] : []),
    ...(o.failed ? [{ kind: 'failed' as const }] : []),
  ];
  if (rules.length !== 1) {
    throw new UsageError('clean-up takes one rule: --keep-newest N, --older-than DAYS or --failed');
  }
  return rules[0];
}

/** What commander gives an action: its arguments, then its options (typed at each action). */
type Args = never[];

/** Runs the command line; resolves to the exit code. */
export async function runCli(io: Io): Promise<ExitCode> {
  const version = packageVersion();
  const json = io.argv.includes('--json');
  const out = new Output({ json, stdout: io.stdout, stderr: io.stderr, env: io.env });
  let code: ExitCode = EXIT.done;
  const ask: Ask = async (question) => {
    if (!out.interactive || !io.stdin.isTTY) {
      return undefined;
    }
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
    try {
      return await rl.question(question, { signal: io.signal });
    } catch {
      return undefined;
    } finally {
      rl.close();
    }
  };

  const program = new Command('qianfan-models');
  const context = (): Context => makeContext(out, program.opts<{ endpoint?: string }>().endpoint, io.env, io.signal, version);
  /** Checks the input (IDs first), then the keys and endpoint, then runs: nothing is sent before all is checked. */
  const action =
    (run: (ctx: Context, ...args: Args) => Promise<ExitCode>, check: (...args: Args) => void = () => undefined) =>
    async (...args: unknown[]) => {
      check(...(args as Args));
      code = await run(context(), ...(args as Args));
    };

  program
    .description('Baidu Qianfan model versions from the command line: list, describe, services, delete, clean-up, export, download, and an MCP server.')
    .version(version, '-V, --version')
    .option('--json', 'write one JSON object per result (errors included), one per line')
    .option('--endpoint <url>', 'the Qianfan endpoint (default QIANFAN_ENDPOINT, else https://qianfan.baidubce.com)')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined, // written below, once, as the one-line usage error
    })
    .exitOverride();

  program
    .command('list')
    .description("list the account's models and versions; the filter is the view's: words (all must match) and status:Ready / status:Creating / status:Failed")
    .argument('[filter...]', 'words and status: terms')
    .option('--model <am-id>', 'only this model (repeatable)', collect(modelSetId))
    .option('--details', "read each listed version's status, base model and creation time (implied by a status: term)")
    .action(action((ctx, filter: string[], o: { model?: string[]; details?: boolean }) => list(ctx, filter, o)));

  program
    .command('describe')
    .description('everything Qianfan says of a version (amv-…) and its export, or of a model (am-…)')
    .argument('<id>', 'a version ID (amv-…) or a model ID (am-…)')
    .action(
      action(
        (ctx, id: string) => describe(ctx, id.trim()),
        (id: string) => void (id.trim().startsWith('am-') ? modelSetId(id) : versionId(id)),
      ),
    );

  program
    .command('services')
    .description('which services run which versions (every page of services); no ID: every version of the account that a service runs')
    .argument('[ids...]', 'version IDs (amv-…)')
    .action(
      action(
        (ctx, ids: string[]) => services(ctx, ids.map(versionId)),
        (ids: string[]) => void ids.map(versionId),
      ),
    );

  program
    .command('delete')
    .description('delete versions (cannot be undone); without --yes it shows what it would do, or asks on a terminal')
    .argument('<ids...>', 'version IDs (amv-…)')
    .option('-y, --yes', 'delete without asking')
    .option('--deployed <amv-id>', 'also delete this version although a service runs it (repeatable)', collect(versionId))
    .action(
      action(
        (ctx, ids: string[], o: { yes?: boolean; deployed?: string[] }) => deleteVersions(ctx, ids.map(versionId), o, ask),
        (ids: string[]) => void ids.map(versionId),
      ),
    );

  program
    .command('clean-up')
    .description(
      "delete old versions by one rule, per model; versions a service runs, being exported or still Creating are always kept. Without --yes it prints the plan with each kept version's reason",
    )
    .option('--keep-newest <n>', 'keep the newest N versions of each model', whole('--keep-newest'))
    .option('--older-than <days>', 'delete versions created more than DAYS days ago', whole('--older-than'))
    .option('--failed', 'delete only versions whose status is Fail')
    .option('--model <am-id>', 'only this model (repeatable; default every model of the account)', collect(modelSetId))
    .option('-y, --yes', 'delete without asking')
    .option('--allow-empty', 'go on even when a model would be left with no version')
    .action(
      action(
        (ctx, o: { keepNewest?: number; olderThan?: number; failed?: boolean; model?: string[]; yes?: boolean; allowEmpty?: boolean }) =>
          cleanUp(ctx, ruleOf(o), o, ask),
        (o: { keepNewest?: number; olderThan?: number; failed?: boolean }) => void ruleOf(o),
      ),
    );

  program
    .command('export')
    .description('export a Ready version to a downloadable file, never starting a second export while one runs')
    .argument('<id>', 'a version ID (amv-…)')
    .option('--wait', 'follow the export until it is done or failed')
    .option('--new', 'start a new export even if a finished one exists')
    .action(
      action(
        (ctx, id: string, o: { wait?: boolean; new?: boolean }) => exportVersion(ctx, versionId(id), o),
        (id: string) => void versionId(id),
      ),
    );

  program
    .command('download')
    .description("download a version's finished export, verifying size and md5; an interrupted download resumes")
    .argument('<id>', 'a version ID (amv-…)')
    .option('-o, --out <path>', 'a file, or a folder (existing, or ending in /) to put it in; default the current folder')
    .option('--overwrite', 'replace an existing file')
    .action(
      action(
        (ctx, id: string, o: { out?: string; overwrite?: boolean }) => download(ctx, versionId(id), o),
        (id: string) => void versionId(id),
      ),
    );

  program
    .command('mcp')
    .description('serve the six tools (list, describe, find deployments, export, download, delete) to an MCP client over stdio')
    .action(async () => {
      const endpoint = program.opts<{ endpoint?: string }>().endpoint;
      endpointFrom(endpoint, io.env);
      keysFrom(io.env);
      await io.startMcp({ endpoint, env: io.env, version });
    });

  for (const c of program.commands) {
    c.exitOverride().configureOutput(program.configureOutput()).showSuggestionAfterError(true);
  }

  try {
    await program.parseAsync([...io.argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT.done;
      }
      out.error(new UsageError(error.message.replace(/^error:\s*/, '')));
      return EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      out.error(error instanceof ConfigError ? new UsageError(error.message) : error);
      return EXIT.usage;
    }
    out.error(error);
    return EXIT.failed;
  }
}
