// Bundles the extension entry into dist/extension.js, and the command line into dist/cli.js, with esbuild.
// `node scripts/build.mjs` builds the shipped (minified) bundle; `--dev` keeps names and adds a source map.
import { build } from 'esbuild';
import { chmodSync, statSync } from 'fs';

const dev = process.argv.includes('--dev');

// Code that node-fetch's dependencies carry for runtimes older than VS Code's: fetch-blob falls
// back to web-streams-polyfill only when Node has no web streams (Node < 16.5), and node-fetch
// loads its multipart parser only for Response.formData(), which the extension never calls.
// Both are replaced by a module that explains itself if it is ever reached.
const UNUSED = [/^web-streams-polyfill\//, /\/utils\/multipart-parser\.js$/];
const leaveOutUnused = {
  name: 'leave-out-unused',
  setup(b) {
    b.onResolve({ filter: /web-streams-polyfill|multipart-parser/ }, (args) =>
      UNUSED.some((re) => re.test(args.path)) ? { path: args.path, namespace: 'unused' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'unused' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not part of the Qianfan extension bundle`)});`,
      loader: 'js',
    }));
  },
};
const started = Date.now();
const result = await build({
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: dev ? 'inline' : 'none',
  metafile: true,
  plugins: [leaveOutUnused],
  logLevel: 'warning',
});
const bytes = statSync('dist/extension.js').size;
console.log(`build: dist/extension.js ${(bytes / 1024).toFixed(1)} KB${dev ? ' (dev)' : ''} in ${Date.now() - started} ms`);

// The command line (and its MCP server), `qianfan-models`: a bundle of its own, so the extension's
// does not grow by it; its libraries (commander, cli-progress, cli-table3, the MCP SDK, zod) are
// bundled in, so an installed tarball needs nothing more at run time.
const cliStarted = Date.now();
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: dev ? 'inline' : 'none',
  plugins: [leaveOutUnused],
  logLevel: 'warning',
});
chmodSync('dist/cli.js', 0o755);
const cliBytes = statSync('dist/cli.js').size;
console.log(`build: dist/cli.js ${(cliBytes / 1024).toFixed(1)} KB${dev ? ' (dev)' : ''} in ${Date.now() - cliStarted} ms`);
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
