/** Timers that move only when the test says so (the limiter's and the loader's tests). */
import { type Timers } from '../../src/core/qianfan/adaptiveLimit';

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeTimers implements Timers {
  t = 0;
  /** How many timers were ever set. */
  set = 0;
  private pending: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  /** How many timers are pending now. */
  get scheduled(): number {
    return this.pending.length;
  }
  setTimer = (fn: () => void, ms: number) => {
    this.set++;
    const entry = { at: this.t + ms, fn };
    this.pending.push(entry);
    return () => void (this.pending = this.pending.filter((e) => e !== entry));
  };
  sleep = (ms: number) => new Promise<void>((resolve) => this.setTimer(resolve, ms));
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flush();
    for (;;) {
      const due = this.pending.filter((e) => e.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) {
        break;
      }
      this.pending = this.pending.filter((e) => e !== due);
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}
