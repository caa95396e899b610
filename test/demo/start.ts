/**
 * `npm start`: the main job. Builds and packages the extension, starts the local Qianfan emulator
 * with demo data, starts the VS Code server with the extension installed, pointed at the emulator
 * and given the demo keys, and prints the URL to open. Ctrl-C stops everything it started.
 */
import { execFileSync } from 'child_process';
import { mkdirSync } from 'fs';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { ROOT, startServer } from '../support/vscodeServer';

async function main(): Promise<void> {
  console.log('start: packaging the extension…');
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const emulator = new QianfanEmulator({ exportDurationMs: 5000 });
  const emulatorUrl = await emulator.start(Number(process.env.QIANFAN_EMULATOR_PORT ?? 0));
  const server = await startServer({
    port: Number(process.env.PORT ?? 8080),
    installExtension: path.join(ROOT, 'qianfan-models.vsix'),
    env: { QIANFAN_DEMO_ACCESS_KEY: DEMO_ACCESS_KEY, QIANFAN_DEMO_SECRET_KEY: DEMO_SECRET_KEY },
    settings: { 'qianfan.endpoint': emulatorUrl, 'security.workspace.trust.enabled': false },
  });
  const folder = path.join(ROOT, '.vscode-test', 'demo-workspace');
  mkdirSync(folder, { recursive: true });
  console.log(`
Qianfan emulator:  ${emulatorUrl}  (demo data: 3 models, 6 versions; keys are preset)
VS Code:           ${server.url}/?folder=${encodeURIComponent(folder)}

Open the VS Code URL in a browser, then the Qianfan view in the activity bar.
Press Ctrl-C to stop the server and the emulator.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log('\nstart: stopping…');
    await server.stop();
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(`start: ${(error as Error).message}`);
  process.exit(1);
});
