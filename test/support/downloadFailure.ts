/** The DownloadError a download failed with (the test fails when it did not fail so). */
import * as assert from 'assert';
import { DownloadError } from '../../src/core/download/errors';

export async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
  return error;
}
