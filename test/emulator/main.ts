/**
 * `npm run emulator`: starts the local Qianfan emulator and prints its URL and demo keys.
 * `npm run emulator -- --help` lists the options.
 */
import { type OptionSpec, UsageError, parseOptions, usage } from '../support/cli';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from './fixture';
import { EMULATOR_OPTIONS, describeAccount, emulatorFrom } from './options';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', env: 'QIANFAN_EMULATOR_PORT', kind: 'count', fallback: 0, help: 'the port on 127.0.0.1 (0: any free port)' },
  ...EMULATOR_OPTIONS,
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), OPTIONS);
  if (!options) {
    process.stdout.write(
      usage('npm run emulator --', 'A local Qianfan /v2/model emulator on 127.0.0.1 that checks signatures with Baidu’s own signer.', OPTIONS),
    );
    return;
  }
  const emulator = emulatorFrom(options);
  const url = await emulator.start(Number(options.port));
  // The demo keys are public test values that only this emulator accepts.
  process.stdout.write(
    JSON.stringify({ url, accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY }) +
      '\n' +
      `Qianfan emulator listening on ${url} (${describeAccount(emulator)})\n` +
      `  demo access key: ${DEMO_ACCESS_KEY}\n  demo secret key: ${DEMO_SECRET_KEY}\n` +
      '  (Ctrl-C to stop)\n',
  );
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
