/**
 * The detail loader as the clean-up's preview drives it, over one client: its reads go through the
 * client's adaptive limiter (forced), nothing is persisted or logged. Shared by the clean-up benches.
 */
import { type QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { type VersionDetailsStore } from '../../src/core/state/versionDetails';
import { DetailLoader } from '../../src/core/work/detailLoader';

export function benchLoader(client: QianfanClient, store: VersionDetailsStore): DetailLoader {
  return new DetailLoader({
    describe: (id, signal) => client.describeModel(id, { signal }),
    presence: (id, signal) => client.versionPresence(id, undefined, { signal }),
    reserve: (signal) => client.limiter.reserve?.(signal) ?? Promise.resolve(() => undefined),
    sending: (signal) => client.limiter.sending?.(signal) ?? true,
    concurrency: () => client.limiter.ceiling,
    store,
    persist: () => Promise.resolve(),
    now: Date.now,
    log: () => undefined,
  });
}
