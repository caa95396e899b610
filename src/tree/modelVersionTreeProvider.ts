/**
 * Tracked model versions grouped by model, drawn at once from what is stored (last known name,
 * model and status) and brought up to date as the user looks: expanding a model asks the loader
 * for its versions, and each answer repaints its own node. The tree only reads the stores and
 * fires change events for what changed; it writes no state while drawing.
 */
import * as vscode from 'vscode';
import { type DetailLoader } from '../core/work/detailLoader';
import { type ExportStateStore } from '../core/work/exportStates';
import { isKeyFailure } from '../core/qianfan/errors';
import { naturalOrder } from '../core/base/naturalOrder';
import { type ViewFilterStore, matchable, matches, watchFilteredView } from '../core/state/viewFilter';
import { type TrackedChange, type TrackedVersion, type TrackedVersionsStore } from '../core/state/trackedVersions';
import { type VersionDetailsStore } from '../core/state/versionDetails';
import { userMessage } from '../platform/errorMessages';
import { ActionNode, ErrorNode, ModelNode, type TreeNode, VersionNode, actionTreeItem, errorTreeItem, modelTreeItem, versionTreeItem } from './nodes';

/** Up to this many tracked versions, models start expanded; beyond, collapsed (and nothing loads until opened). */
export const EXPAND_ALL_LIMIT = 50;

/**
 * With a filter on, the models with matches open by themselves when at most this many matching
 * versions are not yet known in this session: opening them then asks Qianfan about at most 10
 * versions, one round at the default `qianfan.maxConcurrentRequests` (10), no burst. (And at most
 * EXPAND_ALL_LIMIT rows in all.) Beyond that they stay closed, and the view's message says how
 * many match.
 */
export const FILTER_EXPAND_UNKNOWN_LIMIT = 10;

/** How many versions the filter lets through, of how many tracked. */
export interface FilterSummary {
  readonly text: string;
  readonly matching: number;
  readonly total: number;
}

export interface TreeDeps {
  readonly tracked: TrackedVersionsStore;
  readonly details: VersionDetailsStore;
  readonly exports: ExportStateStore;
  readonly loader: Pick<DetailLoader, 'load' | 'drop'>;
  readonly filter: ViewFilterStore;
  hasCredentials(): Promise<boolean>;
  now(): number;
  /** Told once, when the root is first drawn with versions in it (`askedAt`: when VS Code asked for it, performance.now()). */
  onFirstRoot?(models: number, versions: number, askedAt: number): void;
  /** Followed models and what was found of them (new versions, a model gone). */
  readonly follow?: FollowMarks;
}

/** What the tree shows of followed models. */
export interface FollowMarks {
  isFollowed(modelSetId: string): boolean;
  /** Found gone from Qianfan (on positive evidence). */
  isGone(modelSetId: string): boolean;
  /** A version found new in a followed model, not yet seen. */
  isNew(modelId: string): boolean;
  /** The user selected these versions. */
  seen(modelIds: readonly string[]): void;
  /** The view expanded this model. */
  expanded(modelSetId: string): void;
  onDidChange(listener: () => void): { dispose(): void };
}

function modelLabel(t: TrackedVersion): string {
  return t.modelSetName || t.modelSetId || vscode.l10n.t('Unknown model');
}

export class ModelVersionTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly versionNodes = new Map<string, VersionNode>();
  private readonly modelNodes = new Map<string, ModelNode>();
  private root?: ModelNode[];
  /** Models whose children the view asked for and that were not collapsed since. */
  private readonly expanded = new Set<string>();
  private firstRootTold = false;
  /** Whether the models of the current root open by themselves (decided when the root is built). */
  private rootExpanded = false;
  private readonly toRepaint = new Set<string>();
  private repaintTimer?: ReturnType<typeof setTimeout>;
  private selected: readonly TreeNode[] = [];
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly deps: TreeDeps) {
    this.subscriptions = [
      deps.details.onDidChange((ids) => this.repaint(ids)),
      deps.exports.onDidChange((ids) => this.repaint(ids)),
      deps.details.onDidChangeProblem(() => this.emitter.fire(undefined)),
      deps.tracked.onDidChange((change) => this.onTrackedChange(change)),
      deps.filter.onDidChange(() => {
        this.root = undefined;
        this.emitter.fire(undefined);
      }),
      // a model followed or not, a version found new or seen, a model found gone: drawn again
      deps.follow?.onDidChange(() => this.emitter.fire(undefined)) ?? { dispose: () => undefined },
      // a status (or name) learnt that the filter judges otherwise: the filtered list is drawn again
      watchFilteredView({ ...deps, shown: (id) => this.versionNodes.has(id) }, () => {
        if (this.root) {
          this.root = undefined;
          this.emitter.fire(undefined);
        }
      }),
    ];
  }

  /** What is selected in the view (the keyboard's commands act on it); a version selected is seen. */
  get selection(): readonly TreeNode[] {
    return this.selected;
  }

  set selection(nodes: readonly TreeNode[]) {
    this.selected = nodes;
    this.deps.follow?.seen(nodes.flatMap((n) => (n instanceof VersionNode ? [n.modelId] : [])));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node instanceof ModelNode) {
      const follow = this.deps.follow;
      return modelTreeItem(node, this.expandAll(), {
        followed: follow?.isFollowed(node.modelSetId) ?? false,
        gone: follow?.isGone(node.modelSetId) ?? false,
      });
    }
    if (node instanceof ErrorNode) {
      return errorTreeItem(node);
    }
    if (node instanceof ActionNode) {
      return actionTreeItem(node);
    }
    const d = this.deps;
    return versionTreeItem(node, {
      tracked: d.tracked.get(node.modelId),
      live: d.details.get(node.modelId),
      loading: d.details.isLoading(node.modelId),
      exportState: d.exports.get(node.modelId),
      now: d.now(),
      isNew: d.follow?.isNew(node.modelId) ?? false,
    });
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node instanceof VersionNode ? node.parent : undefined;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node instanceof ModelNode) {
      this.expanded.add(node.modelSetId);
      this.deps.follow?.expanded(node.modelSetId);
      void this.deps.loader.load(node.versions.map((v) => v.modelId));
      return node.versions;
    }
    if (node instanceof ErrorNode) {
      return [...node.actions];
    }
    if (node) {
      return [];
    }
    const askedAt = performance.now();
    if (this.deps.tracked.view().length === 0 || !(await this.deps.hasCredentials())) {
      return []; // the view's welcome content takes over
    }
    const models = this.models();
    const filter = this.deps.filter.filter;
    if (filter && models.length === 0) {
      return [new ActionNode(vscode.l10n.t('No tracked version matches "{0}". Clear the filter', filter.text), 'qianfan.clearFilter', 'clear-all')];
    }
    // the view's message says what is filtered and how many match; this row clears it, on every VS Code
    const clear = filter ? [new ActionNode(vscode.l10n.t('Clear the filter'), 'qianfan.clearFilter', 'clear-all')] : [];
    if (!this.firstRootTold) {
      this.firstRootTold = true;
      this.deps.onFirstRoot?.(models.length, this.versionNodes.size, askedAt);
    }
    const problem = this.problemNode();
    return [...(problem ? [problem] : []), ...clear, ...models];
  }

  /** The view collapsed a model: what waits to load under it is taken back. */
  collapsed(node: TreeNode): void {
    if (node instanceof ModelNode) {
      this.expanded.delete(node.modelSetId);
      this.deps.loader.drop(node.versions.map((v) => v.modelId));
    }
  }

  /** The versions the user can see: under expanded models, in the order shown. */
  visibleVersions(): string[] {
    return this.models()
      .filter((m) => this.expanded.has(m.modelSetId))
      .flatMap((m) => m.versions.map((v) => v.modelId));
  }

  /**
   * Loads again what the user sees: one version, one model's versions, or (no node) every
   * visible version, after clearing a stopped load (keys refused) so that it is tried again.
   */
  refresh(node?: TreeNode): Promise<void> {
    if (node instanceof VersionNode) {
      return this.deps.loader.load([node.modelId], { force: true });
    }
    if (node instanceof ModelNode) {
      return this.deps.loader.load(
        node.versions.map((v) => v.modelId),
        { force: true },
      );
    }
    this.deps.details.setProblem(undefined);
    this.emitter.fire(undefined);
    return this.deps.loader.load(this.visibleVersions(), { force: true });
  }

  /** Draws anew from the stored list, as a new window would: no node, nothing expanded. */
  reset(): void {
    this.root = undefined;
    this.versionNodes.clear();
    this.modelNodes.clear();
    this.expanded.clear();
    this.firstRootTold = false;
    this.emitter.fire(undefined);
  }

  private matchesFilter(t: TrackedVersion): boolean {
    return matches(this.deps.filter.filter, matchable(t, this.deps.details.get(t.modelId)));
  }

  /** The version's name: as Qianfan gave it in this session, else as stored. */
  private nameOf(t: TrackedVersion): string | undefined {
    const live = this.deps.details.get(t.modelId);
    return (live?.kind === 'loaded' && live.detail.modelName) || t.name;
  }

  private expandAll(): boolean {
    if (!this.deps.filter.filter) {
      return this.deps.tracked.view().length <= EXPAND_ALL_LIMIT;
    }
    this.models();
    return this.rootExpanded;
  }

  /** With a filter on: its text, and how many tracked versions match of how many (undefined without one). */
  filterSummary(): FilterSummary | undefined {
    const filter = this.deps.filter.filter;
    if (!filter) {
      return undefined;
    }
    return { text: filter.text, matching: this.matchCount(), total: this.deps.tracked.view().length };
  }

  private matchCount(): number {
    return this.models().reduce((n, m) => n + m.versions.length, 0);
  }

  private problemNode(): ErrorNode | undefined {
    const problem = this.deps.details.problem;
    if (problem === undefined) {
      return undefined;
    }
    const message = userMessage(problem);
    const fix = isKeyFailure(problem)
      ? new ActionNode(vscode.l10n.t('Set Access Key…'), 'qianfan.setCredentials', 'key')
      : new ActionNode(vscode.l10n.t('Open Settings'), 'workbench.action.openSettings', 'settings-gear', ['qianfan.endpoint']);
    return new ErrorNode(message, `${message}\n\n${vscode.l10n.t('The statuses shown are the last known ones.')}`, [
      fix,
      new ActionNode(vscode.l10n.t('Show Log'), 'qianfan.showLog', 'output'),
    ]);
  }

  /** The model nodes from the tracked list, built once per change of the list. */
  private models(): ModelNode[] {
    if (this.root) {
      return this.root;
    }
    const groups = new Map<string, ModelNode>();
    const seen = new Set<string>();
    const filter = this.deps.filter.filter;
    for (const t of this.deps.tracked.view()) {
      if (filter && !this.matchesFilter(t)) {
        continue;
      }
      const modelSetId = t.modelSetId ?? '';
      let model = groups.get(modelSetId);
      if (!model) {
        model = this.modelNodes.get(modelSetId) ?? new ModelNode(modelSetId, '');
        model.label = modelLabel(t);
        model.filterKey = filter?.text ?? '';
        model.versions = [];
        this.modelNodes.set(modelSetId, model);
        groups.set(modelSetId, model);
      }
      let node = this.versionNodes.get(t.modelId);
      if (node) {
        node.parent = model;
        node.name = this.nameOf(t);
      } else {
        node = new VersionNode(t.modelId, model, this.nameOf(t));
        this.versionNodes.set(t.modelId, node);
      }
      seen.add(t.modelId);
      model.versions.push(node);
    }
    for (const id of [...this.versionNodes.keys()].filter((id) => !seen.has(id))) {
      this.versionNodes.delete(id);
    }
    for (const id of [...this.modelNodes.keys()].filter((id) => !groups.has(id))) {
      this.modelNodes.delete(id);
      this.expanded.delete(id);
    }
    for (const model of groups.values()) {
      model.versions.sort(naturalOrder);
    }
    this.root = [...groups.values()].sort(naturalOrder);
    if (filter) {
      const versions = this.root.flatMap((m) => m.versions);
      const unknown = versions.filter((v) => this.deps.details.get(v.modelId) === undefined).length; // what opening would load
      this.rootExpanded = versions.length <= EXPAND_ALL_LIMIT && unknown <= FILTER_EXPAND_UNKNOWN_LIMIT;
    }
    return this.root;
  }

  /**
   * Repaints the nodes of these versions: answers that arrive together go to VS Code as one change
   * (one message to the workbench, not one per answer); only those nodes, never the whole tree.
   */
  private repaint(modelIds: readonly string[]): void {
    modelIds.forEach((id) => this.toRepaint.add(id));
    this.repaintTimer ??= setTimeout(() => {
      this.repaintTimer = undefined;
      const ids = [...this.toRepaint];
      this.toRepaint.clear();
      this.repaintNow(ids);
    }, 0);
  }

  private repaintNow(modelIds: readonly string[]): void {
    const nodes = modelIds.flatMap((id) => this.versionNodes.get(id) ?? []);
    for (const node of nodes) {
      const live = this.deps.details.get(node.modelId);
      if (live?.kind === 'loaded' && live.detail.modelName) {
        node.name = live.detail.modelName; // the label the commands use, before the tracked list is written
      }
    }
    if (nodes.length > 0) {
      this.emitter.fire(nodes);
    }
  }

  private onTrackedChange(change: TrackedChange): void {
    if (change.removed.length > 0) {
      this.deps.details.forget(change.removed);
      this.deps.loader.drop(change.removed);
    }
    const regroup =
      change.added.length > 0 ||
      change.removed.length > 0 ||
      change.updated.some((id) => {
        const t = this.deps.tracked.get(id);
        const node = this.versionNodes.get(id);
        return !node || !t || (t.modelSetId ?? '') !== node.parent?.modelSetId || this.nameOf(t) !== node.name || modelLabel(t) !== node.parent.label;
      });
    if (regroup) {
      this.root = undefined;
      this.emitter.fire(undefined);
    } else if (change.updated.length > 0) {
      this.repaint(change.updated); // a status learnt (here, or in another window): those rows only
    }
  }

  dispose(): void {
    clearTimeout(this.repaintTimer);
    this.subscriptions.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}
