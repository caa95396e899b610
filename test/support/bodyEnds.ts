/**
 * A test body that outlives its test: an uncaught error (a listener that throws, a rejection
 * nobody awaits) fails the test at once, and mocha runs the afterEach hooks and the next tests
 * while the body goes on. When the body then ends, mocha counts a second end of one test (after
 * the whole run, ERR_MOCHA_MULTIPLE_DONE crashes the runner instead of reporting a failure).
 *
 * `bodiesEndInTheirTest()` in a describe, before its other afterEach hooks: each test ends once
 * (its body's end, or the error mocha caught first), and its body is waited for, however it ends,
 * before the suite's own afterEach hooks close what it uses.
 */
import { type Context } from 'mocha';

export function bodiesEndInTheirTest(): void {
  let running: { body: Promise<unknown>; ended: boolean } | undefined;
  beforeEach(function () {
    const test = this.currentTest;
    const fn = test?.fn;
    if (!test || !fn || fn.length > 0) {
      return; // a done-callback test is left as it is
    }
    test.fn = function (this: Context) {
      const result: unknown = (fn as (this: Context) => unknown).call(this);
      if (!(result instanceof Promise)) {
        return result as undefined;
      }
      const own = { body: result as Promise<unknown>, ended: false };
      running = own;
      // what mocha waits for: the body's end, unless mocha ended the test before (then never)
      return new Promise<void>((resolve, reject) => {
        own.body.then(
          () => own.ended || resolve(),
          (error: unknown) => own.ended || reject(error as Error),
        );
      });
    };
  });
  afterEach(async () => {
    const own = running;
    running = undefined;
    if (own) {
      own.ended = true; // the test has ended for mocha: its body's end is not told again
      await own.body.then(
        () => undefined,
        () => undefined,
      );
    }
  });
}
