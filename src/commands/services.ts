/** What every command works with; built once in extension.ts. */
import * as vscode from 'vscode';
import { PendingExportsStore } from '../core/exportTasks';
import { QianfanClient } from '../core/qianfanClient';
import { Redactor } from '../core/redact';
import { TrackedVersionsStore } from '../core/trackedVersions';
import { Settings } from '../platform/config';
import { Logger } from '../platform/logger';
import { Prompts } from '../platform/prompts';
import { SecretCredentialStore } from '../platform/secretCredentialStore';
import { ModelVersionTreeProvider } from '../tree/modelVersionTreeProvider';
import { TreeNode } from '../tree/nodes';
import type { ExportWatcher } from './exportWatcher';

export interface Services {
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly credentials: SecretCredentialStore;
  readonly tracked: TrackedVersionsStore;
  readonly pendingExports: PendingExportsStore;
  readonly tree: ModelVersionTreeProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  readonly exports: ExportWatcher;
  prompts: Prompts;
  client(): QianfanClient;
  settings(): Settings;
}
