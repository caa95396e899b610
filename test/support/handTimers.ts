/** Timers run by hand for the pollers' tests (the follow poller's `Timers`): `fire()` runs the one pending wait. */
import * as assert from 'assert';
import { type Timers } from '../../src/core/work/followPoller';

export const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r));
  }
};

export class HandTimers implements Timers {
  clock = 0;
  pending: { run: () => void; ms: number; id: number }[] = [];
  private next = 1;
  set(run: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.push({ run, ms, id });
    return id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }
  now(): number {
    return this.clock;
  }
  /** The delays of the waits pending. */
  get waits(): number[] {
    return this.pending.map((p) => p.ms);
  }
  /** Runs the one pending wait (and the round it starts); returns its delay. */
  async fire(): Promise<number> {
    assert.strictEqual(this.pending.length, 1, 'one wait pending');
    const p = this.pending.shift()!;
    this.clock += p.ms;
    p.run();
    await settle();
    return p.ms;
  }
}
