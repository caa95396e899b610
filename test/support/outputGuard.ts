/**
 * Loaded before the unit tests (mocha `require`): watches everything written to stdout and
 * stderr, and fails the run if a secret key used by the tests or a full bce-auth-v1
 * signature ever appears. The offending text is masked before it is printed.
 */
import { DEMO_SECRET_KEY } from '../emulator/fixture';

export const TEST_SECRETS = new Set<string>([DEMO_SECRET_KEY]);
const FULL_SIGNATURE = /bce-auth-v1\/[^\s"']*\/[0-9a-f]{64}/;
let violations = 0;

function guard(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    let text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    let leaked = FULL_SIGNATURE.test(text);
    for (const secret of TEST_SECRETS) {
      if (text.includes(secret)) {
        leaked = true;
        text = text.split(secret).join('[SECRET]');
      }
    }
    if (leaked) {
      violations++;
      text = text.replace(new RegExp(FULL_SIGNATURE.source, 'g'), '[SIGNATURE]');
    }
    return write(text, ...rest);
  };
}

guard(process.stdout);
guard(process.stderr);
process.on('exit', () => {
  if (violations > 0) {
    process.stderr.write(`\noutput guard: ${violations} write(s) contained a secret key or a full signature (masked above)\n`);
    process.exitCode = 1;
  }
});
