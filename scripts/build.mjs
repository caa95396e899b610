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

// The command line, `qianfan-models`: a bundle of its own (dist/cli.js), so the extension's does
// not grow by it; its MCP server (`qianfan-models mcp`) another (dist/mcp.js), loaded only for
// `mcp`, so the SDK and zod cost the other commands' start-up nothing. Their libraries
// (commander, cli-progress, cli-table3, the MCP SDK, zod) are bundled in: an installed tarball
// needs nothing more at run time.
const mcpApart = {
  name: 'mcp-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/mcp\/server$/ }, () => ({ path: './mcp.js', external: true }));
  },
};
const cliStarted = Date.now();
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: dev ? 'inline' : 'none',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
  plugins: [leaveOutUnused, mcpApart],
});
await build({ ...common, entryPoints: ['src/mcp/server.ts'], outfile: 'dist/mcp.js', plugins: [leaveOutUnused] });
chmodSync('dist/cli.js', 0o755);
const kb = (f) => `${(statSync(f).size / 1024).toFixed(1)} KB`;
console.log(`build: dist/cli.js ${kb('dist/cli.js')}, dist/mcp.js ${kb('dist/mcp.js')}${dev ? ' (dev)' : ''} in ${Date.now() - cliStarted} ms`);
