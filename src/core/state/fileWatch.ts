/**
 * What another window wrote is read when the files are seen to change: on the folder's file
 * events (soon after, once for a burst) and on a poll, for folders without file events (some
 * remote or network file systems).
 */
import { type Disposable } from '../base/events';
import { type StoreFs } from './fileFormat';

/** Calls `refresh` on the port's file events (20 ms after the first of a burst) and every `pollMs` (none when 0). */
export function watchFolder(fs: StoreFs, refresh: () => void, pollMs: number): Disposable {
  let soon: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    soon ??= setTimeout(() => {
      soon = undefined;
      refresh();
    }, 20);
  };
  const watcher = fs.watch(later);
  const poll = pollMs > 0 ? setInterval(refresh, pollMs) : undefined;
  return {
    dispose: () => {
      watcher.dispose();
      if (poll) {
        clearInterval(poll);
      }
      if (soon) {
        clearTimeout(soon);
      }
    },
  };
}
