/** globalState as the core's KeyValueStore. */
import * as vscode from 'vscode';
import { KeyValueStore } from '../core/keyValueStore';

export function mementoStore(memento: vscode.Memento): KeyValueStore {
  return {
    get: <T>(key: string) => memento.get<T>(key),
    update: (key, value) => memento.update(key, value),
  };
}
