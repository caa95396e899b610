/** Asks a gate for a place without waiting for it: the limiter's tests look at who got one, and when. */
import { type Permit, type RequestGate } from '../../src/core/qianfan/gate';

export interface Ask {
  granted: boolean;
  permit?: Permit;
  error?: unknown;
  done: Promise<void>;
}

/** Acquires without waiting for the grant: `granted` turns true when it comes. */
export function ask(gate: RequestGate, signal?: AbortSignal): Ask {
  const r: Ask = { granted: false, done: Promise.resolve() };
  r.done = gate.acquire(signal).then(
    (p) => void ((r.granted = true), (r.permit = p)),
    (e: unknown) => void (r.error = e),
  );
  return r;
}
