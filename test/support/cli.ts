/**
 * Options for the demo's command lines (`npm start`, `npm run emulator`): `--name value` or
 * `--name=value`, each also readable from an environment variable, with `--help` text built from
 * the same table, so the two cannot drift apart.
 */
export interface OptionSpec {
  /** The name after `--`. */
  readonly name: string;
  /** An environment variable that gives the same option (the command line wins). */
  readonly env?: string;
  readonly kind: 'count' | 'text';
  readonly fallback: number | string;
  readonly help: string;
}

export type ParsedOptions = Record<string, number | string>;

export class UsageError extends Error {}

export function usage(command: string, summary: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name} ${s.kind === 'count' ? 'N' : 'VALUE'}`;
    const env = s.env ? ` (or ${s.env}=…)` : '';
    return `${left.padEnd(24)}${s.help}; default ${String(s.fallback)}${env}`;
  });
  return [`Usage: ${command} [options]`, '', summary, '', 'Options:', ...rows, `  ${'--help'.padEnd(22)}this text`, ''].join('\n');
}

/** Parses argv against the table; returns undefined when `--help` was asked for. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], env: NodeJS.ProcessEnv = process.env): ParsedOptions | undefined {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      return undefined;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const spec = m && specs.find((s) => s.name === m[1]);
    if (!m || !spec) {
      throw new UsageError(`unknown option ${arg} (see --help)`);
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      throw new UsageError(`--${spec.name} needs a value`);
    }
    given.set(spec.name, value);
  }
  const result: ParsedOptions = {};
  for (const spec of specs) {
    const raw = given.get(spec.name) ?? (spec.env ? env[spec.env] : undefined);
    if (raw === undefined || raw === '') {
      result[spec.name] = spec.fallback;
    } else if (spec.kind === 'text') {
      result[spec.name] = raw;
    } else {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
        throw new UsageError(`--${spec.name} takes a whole number ≥ 0, not "${raw}"`);
      }
      result[spec.name] = n;
    }
  }
  return result;
}
