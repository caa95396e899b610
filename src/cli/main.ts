/** `qianfan-models`: the command line's process: its streams, Ctrl+C, and the exit code. */
import { setMaxListeners } from 'events';
import { runCli } from './program';

const controller = new AbortController();
setMaxListeners(0, controller.signal); // every request of a batch listens to it
process.on('SIGINT', () => {
  if (controller.signal.aborted) {
    process.exit(130); // a second Ctrl+C: stop at once
  }
  controller.abort();
});

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
  startMcp: async (options) => (await import('../mcp/server')).serveStdio(options),
}).then((code) => {
  process.exitCode = code;
});
