/**
 * Tracked model versions grouped by model. Details come from DescribeModel, loaded concurrently
 * (bounded) and cached per version; a failed load shows an error node, never an empty tree.
 */
import * as vscode from 'vscode';
import { runBatch } from '../core/batch';
import { isNotFound } from '../core/errors';
import { type QianfanClient } from '../core/qianfanClient';
import { type TrackedVersionsStore } from '../core/trackedVersions';
import { describeError } from '../platform/logger';
import { ErrorNode, type ExportState, ModelNode, type TreeNode, VersionNode, type VersionState, toTreeItem } from './nodes';

export interface TreeDeps {
  readonly tracked: TrackedVersionsStore;
  hasCredentials(): Promise<boolean>;
  client(): QianfanClient;
  concurrency(): number;
  exportState(modelId: string): ExportState | undefined;
  log(message: string, error?: unknown): void;
}

export class ModelVersionTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly states = new Map<string, VersionState>();
  private readonly versionNodes = new Map<string, VersionNode>();
  private readonly modelNodes = new Map<string, ModelNode>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: TreeDeps) {}

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node instanceof VersionNode) {
      node.exportState = this.deps.exportState(node.modelId);
    }
    return toTreeItem(node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node instanceof VersionNode ? node.parent : undefined;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node instanceof ModelNode) {
      return node.versions;
    }
    if (node) {
      return [];
    }
    const tracked = this.deps.tracked.list();
    if (tracked.length === 0 || !(await this.deps.hasCredentials())) {
      return []; // the view's welcome content takes over
    }
    await this.loadMissingDetails(tracked.map((t) => t.modelId));
    return this.buildRoot();
  }

  /** Reloads everything (no node), or one version / every version of one model. */
  refresh(node?: TreeNode): void {
    if (node instanceof VersionNode || node instanceof ModelNode) {
      const ids = node instanceof VersionNode ? [node.modelId] : node.versions.map((v) => v.modelId);
      ids.forEach((id) => this.states.delete(id));
      void this.loadMissingDetails(ids).then(() => this.emitter.fire(node));
      return;
    }
    this.states.clear();
    this.emitter.fire(undefined);
  }

  /**
   * Repaints without reloading what is known: one version (e.g. its export changed), or the
   * whole view, where only newly tracked versions are loaded.
   */
  repaint(modelId?: string): void {
    const node = modelId ? this.versionNodes.get(modelId) : undefined;
    this.emitter.fire(node);
  }

  forget(modelIds: readonly string[]): void {
    modelIds.forEach((id) => this.states.delete(id));
    this.emitter.fire(undefined);
  }

  stateOf(modelId: string): VersionState | undefined {
    return this.states.get(modelId);
  }

  /** Loads the details not yet known; waits for those already on their way. */
  private async loadMissingDetails(ids: string[]): Promise<void> {
    const toLoad = ids.filter((id) => !this.states.has(id) && !this.inFlight.has(id));
    if (toLoad.length > 0) {
      const work = this.fetchDetails(toLoad).finally(() => toLoad.forEach((id) => this.inFlight.delete(id)));
      toLoad.forEach((id) => this.inFlight.set(id, work));
    }
    await Promise.all(ids.flatMap((id) => this.inFlight.get(id) ?? []));
  }

  private async fetchDetails(ids: string[]): Promise<void> {
    let client: QianfanClient;
    try {
      client = this.deps.client();
    } catch (error) {
      // e.g. an invalid endpoint setting: every version shows why, under an error node
      ids.forEach((id) => this.states.set(id, { kind: 'error', message: describeError(error) }));
      this.deps.log('Could not load the model versions', error);
      return;
    }
    const outcomes = await runBatch(ids, (id, signal) => client.describeModel(id, { signal }), { concurrency: this.deps.concurrency() });
    const info = [];
    for (const o of outcomes) {
      if (o.ok) {
        this.states.set(o.item, { kind: 'loaded', detail: o.value });
        info.push({ modelId: o.item, modelSetId: o.value.modelSetId, name: o.value.modelName || undefined });
      } else if (isNotFound(o.error)) {
        this.states.set(o.item, { kind: 'missing' });
      } else {
        this.states.set(o.item, { kind: 'error', message: describeError(o.error) });
        this.deps.log(`Could not load ${o.item}`, o.error);
      }
    }
    await this.deps.tracked.updateInfo(info);
  }

  private buildRoot(): TreeNode[] {
    const groups = new Map<string, ModelNode>();
    const errors: string[] = [];
    const unknownModel = vscode.l10n.t('Unknown model');
    for (const t of this.deps.tracked.list()) {
      const state = this.states.get(t.modelId) ?? { kind: 'loading' };
      const modelSetId = (state.kind === 'loaded' ? state.detail.modelSetId : t.modelSetId) ?? '';
      let model = groups.get(modelSetId);
      if (!model) {
        model = this.modelNodes.get(modelSetId) ?? new ModelNode(modelSetId, '');
        model.label = t.modelSetName || modelSetId || unknownModel;
        model.versions = [];
        this.modelNodes.set(modelSetId, model);
        groups.set(modelSetId, model);
      }
      const node = this.versionNodes.get(t.modelId) ?? new VersionNode(t.modelId, model, t.name);
      node.parent = model;
      node.name = state.kind === 'loaded' ? state.detail.modelName || t.name : t.name;
      node.state = state;
      this.versionNodes.set(t.modelId, node);
      model.versions.push(node);
      if (state.kind === 'error') {
        errors.push(state.message);
      }
    }
    for (const model of groups.values()) {
      model.versions.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
    }
    const roots: TreeNode[] = [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
    if (errors.length > 0) {
      roots.unshift(new ErrorNode(vscode.l10n.t('Could not load {0} version(s): {1}', errors.length, errors[0]), errors.join('\n')));
    }
    return roots;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
