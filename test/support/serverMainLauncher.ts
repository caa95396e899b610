/**
 * Starts an older VS Code server (code-server ≤ 4.9x, VS Code 1.9x), whose `server-main.js` only
 * exports `loadCodeWithNls()` for code-server to call, with the flags VS Code's own server takes
 * (among them `--enable-smoke-test-driver`, which code-server's entry drops):
 *   node serverMainLauncher.js <server-main.js> --host H --port P [--flag [value]]…
 */
import * as http from 'http';
import { createRequire } from 'module';
import type { Duplex } from 'stream';

interface ServerApi {
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  handleUpgrade(req: http.IncomingMessage, socket: Duplex): void;
}

interface ServerMainModule {
  loadCodeWithNls(): Promise<{ createServer(address: null, args: Record<string, unknown>): Promise<ServerApi> }>;
}

const BOOLEAN_FLAGS = new Set(['without-connection-token', 'enable-smoke-test-driver', 'accept-server-license-terms', 'disable-telemetry']);

export function parseServerArgs(argv: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    args[name] = BOOLEAN_FLAGS.has(name) ? true : argv[++i];
  }
  return args;
}

async function main(): Promise<void> {
  const [serverMain, ...rest] = process.argv.slice(2);
  const args = parseServerArgs(rest);
  // The server's own CommonJS entry, at a path known only at run time.
  const mod = createRequire(__filename)(serverMain) as ServerMainModule;
  const api = await (await mod.loadCodeWithNls()).createServer(null, { ...args, compatibility: '1.64' });
  const server = http.createServer((req, res) => api.handleRequest(req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => api.handleUpgrade(req, socket));
  server.listen(Number(args.port), String(args.host));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`serverMainLauncher: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
