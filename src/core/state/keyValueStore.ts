/** What the stores need from VS Code's Memento (globalState), so the core is testable without it. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

/** An in-memory KeyValueStore, for unit tests and as a fallback. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly data = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    const value = this.data.get(key);
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.data.delete(key);
    } else {
      this.data.set(key, JSON.parse(JSON.stringify(value)));
    }
    return Promise.resolve();
  }
}
