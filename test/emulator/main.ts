/**
 * `npm run emulator`: starts the local Qianfan emulator and prints its URL and demo keys.
 * Options: --port N, --latency MS, --export-ms MS, --models N --versions N (generated account).
 */
import { QianfanEmulator } from './emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, demoFixture, generatedFixture } from './fixture';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} takes a number`);
  }
  return value;
}

async function main(): Promise<void> {
  const models = arg('models', 0);
  const emulator = new QianfanEmulator({
    fixture: models > 0 ? generatedFixture(models, arg('versions', 3)) : demoFixture(),
    latencyMs: arg('latency', 0),
    exportDurationMs: arg('export-ms', 3000),
  });
  const url = await emulator.start(arg('port', 0));
  // The demo keys are public test values that only this emulator accepts.
  process.stdout.write(
    JSON.stringify({ url, accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY }) +
      '\n' +
      `Qianfan emulator listening on ${url}\n` +
      `  demo access key: ${DEMO_ACCESS_KEY}\n  demo secret key: ${DEMO_SECRET_KEY}\n` +
      '  (Ctrl-C to stop)\n',
  );
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
