// Mutation testing of the core (`npm run test:mutation`): StrykerJS mutates src/core, builds the
// sandbox with tsc and runs the unit tests (plain mocha over out/test/unit) against each mutant.
// Stryker needs Node >= 22: test/mutation/run.sh picks one (see there). `-- --incremental` reuses
// the last run's results (reports/stryker-incremental.json) for the code and tests that did not change.
import { readdirSync } from 'node:fs';

// The unit test files, the slow ones last: a mutant stops at its first failing test, so most are
// killed before a test that waits seconds over loopback runs (dialects, the rate limit, downloads,
// two processes). The order changes only the time a run takes, not what it finds.
const SLOW = [
  'dialects',
  'rateLimit',
  'download',
  'downloadEngine',
  'downloadOwners',
  'fileStoreProcesses',
  'faults',
  'finding1-duplicateExports',
  'setupScript',
  'cli',
  'trackedImportScale',
];
// Not run against mutants: the built bundles' test needs `npm run build` (dist/ is not in the
// sandbox) and checks packaging, not the core; the core under it is tested through out/src.
const NOT_UNDER_MUTATION = ['cliBundle'];
const units = readdirSync('test/unit')
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => !NOT_UNDER_MUTATION.includes(f.slice(0, -'.test.ts'.length)))
  .map((f) => f.slice(0, -'.test.ts'.length));
const spec = [...units.filter((n) => !SLOW.includes(n)), ...SLOW.filter((n) => units.includes(n))].map((n) => `out/test/unit/${n}.test.js`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  mutate: ['src/core/**/*.ts'],
  buildCommand: 'npx tsc -p tsconfig.test.json',
  mochaOptions: {
    config: '.mocharc.json',
    spec,
    require: ['out/test/support/outputGuard.js'],
  },
  coverageAnalysis: 'perTest',
  checkers: [],
  // the unit tests mostly wait on timers and loopback (a run keeps 2 cores about half busy): 4 runners
  concurrency: 4,
  timeoutMS: 5000,
  timeoutFactor: 2,
  // out/ stays in: the compiled tests (test/mutation/run.sh compiles them first) are what an incremental run compares
  ignorePatterns: ['dist', '.vscode-test', '.bench', 'test-results', 'reports', '*.vsix'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
