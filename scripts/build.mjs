// Bundles the extension entry into dist/extension.js with esbuild.
// `node scripts/build.mjs` builds the shipped (minified) bundle; `--dev` keeps names and adds a source map.
import { build } from 'esbuild';
import { statSync } from 'fs';

const dev = process.argv.includes('--dev');
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
  logLevel: 'warning',
});
const bytes = statSync('dist/extension.js').size;
console.log(`build: dist/extension.js ${(bytes / 1024).toFixed(1)} KB${dev ? ' (dev)' : ''} in ${Date.now() - started} ms`);
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
