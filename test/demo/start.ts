/**
 * `npm start`: the main job. Builds and packages the extension, starts the local Qianfan emulator
 * with demo data, starts VS Code (code-server, as a user runs it: notification toasts, secrets
 * kept across a browser reload) with the extension installed, pointed at the emulator and given
 * the demo keys, and prints the URL to open. Ctrl-C stops everything it started.
 * `npm start -- --help` lists the options.
 */
import { execFileSync } from 'child_process';
import { mkdirSync } from 'fs';
import * as path from 'path';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { EMULATOR_OPTIONS, describeAccount, emulatorFrom } from '../emulator/options';
import { type OptionSpec, UsageError, parseOptions, usage } from '../support/cli';
import { ROOT, SERVERS, startServer } from '../support/vscodeServer';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', env: 'PORT', kind: 'count', fallback: 8080, help: 'the VS Code port on 127.0.0.1' },
  { name: 'emulator-port', env: 'QIANFAN_EMULATOR_PORT', kind: 'count', fallback: 0, help: 'the emulator port (0: any free port)' },
  {
    name: 'vscode',
    env: 'QIANFAN_DEMO_VSCODE',
    kind: 'text',
    fallback: SERVERS.newest,
    help: `the code-server release (${SERVERS.oldest} is the oldest supported)`,
  },
  ...EMULATOR_OPTIONS,
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), OPTIONS);
  if (!options) {
    process.stdout.write(usage('npm start --', 'VS Code in the browser with the extension, pointed at a local Qianfan emulator with demo keys.', OPTIONS));
    return;
  }
  const emulator = emulatorFrom(options);
  console.log('start: packaging the extension…');
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const emulatorUrl = await emulator.start(Number(options['emulator-port']));
  const server = await startServer({
    mode: 'user',
    version: String(options.vscode),
    port: Number(options.port),
    installExtension: path.join(ROOT, 'qianfan-models.vsix'),
    env: { QIANFAN_DEMO_ACCESS_KEY: DEMO_ACCESS_KEY, QIANFAN_DEMO_SECRET_KEY: DEMO_SECRET_KEY },
    settings: {
      'qianfan.endpoint': emulatorUrl,
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      // The demo folder lives inside this repository: no offer to open the repository.
      'git.openRepositoryInParentFolders': 'never',
    },
  });
  const folder = path.join(ROOT, '.vscode-test', 'demo-workspace');
  mkdirSync(folder, { recursive: true });
  const latency = Number(options.latency) > 0 ? `, ${String(options.latency)} ms latency` : '';
  console.log(`
Qianfan emulator:  ${emulatorUrl}  (demo data: ${describeAccount(emulator)}${latency}; keys are preset)
VS Code:           ${server.url}/?folder=${encodeURIComponent(folder)}  (code-server ${server.version})

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

main().catch((error: unknown) => {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
