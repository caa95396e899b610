/** globalState as the core's KeyValueStore. */
import type * as vscode from 'vscode';
import { type KeyValueStore } from '../core/state/keyValueStore';

export function mementoStore(memento: vscode.Memento): KeyValueStore {
  return {
    get: <T>(key: string) => memento.get<T>(key),
    update: (key, value) => memento.update(key, value),
  };
}
