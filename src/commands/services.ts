/** What every command works with; built once in extension.ts. */
import type * as vscode from 'vscode';
import { type Downloader } from '../core/download/engine';
import { type PartialDownloadsStore } from '../core/download/partialStore';
import { type PendingExportsStore } from '../core/exportTasks';
import { type QianfanClient } from '../core/qianfanClient';
import { type Redactor } from '../core/redact';
import { type TrackedVersionsStore } from '../core/trackedVersions';
import { type Settings } from '../platform/config';
import { type Logger } from '../platform/logger';
import { type Prompts } from '../platform/prompts';
import { type SecretCredentialStore } from '../platform/secretCredentialStore';
import { type ModelVersionTreeProvider } from '../tree/modelVersionTreeProvider';
import { type TreeNode } from '../tree/nodes';
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
  readonly partialDownloads: PartialDownloadsStore;
  readonly downloads: Downloader;
  prompts: Prompts;
  client(): QianfanClient;
  settings(): Settings;
}
