/**
 * What is under way that belongs to the active profile (a delete, an export being started, a
 * download, a change of the tracked list): a switch of profile waits until none is.
 */
export type BusyKind = 'delete' | 'export' | 'download' | 'track';

export class BusyTracker {
  private readonly running = new Map<number, BusyKind>();
  private next = 0;

  /** Runs `work`, counted as busy with `kind` until it settles. */
  async during<T>(kind: BusyKind, work: () => Promise<T> | T): Promise<T> {
    const id = this.next++;
    this.running.set(id, kind);
    try {
      return await work();
    } finally {
      this.running.delete(id);
    }
  }

  /** What runs now, each kind once, in the order they started. */
  get kinds(): BusyKind[] {
    return [...new Set(this.running.values())];
  }
}
