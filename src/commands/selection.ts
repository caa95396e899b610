/**
 * Which versions a command acts on: the multi-selection, the clicked node, or a quick pick that
 * shows each version's model and status and offers only the versions the action applies to.
 * A target's label names it fully: "model / V1 (amv-…)".
 */
import * as vscode from 'vscode';
import { type TrackedVersion } from '../core/state/trackedVersions';
import { type TreeNode, VersionNode, statusText, trackedTitle } from '../tree/nodes';
import { notify } from './notify';
import { type Services } from './services';

export interface Target {
  readonly modelId: string;
  /** "model / V1 (amv-…)" */
  readonly label: string;
}

export interface PickOptions {
  /** Whether the action applies to a version with this status (the picker offers only those). */
  readonly applies?: (status: string | undefined) => boolean;
  /** Said when no tracked version qualifies. */
  readonly noneApplies?: string;
}

function fromNode(node: VersionNode): Target {
  return { modelId: node.modelId, label: node.title };
}

/** The status to go by: as Qianfan gave it in this window, else as last stored. */
export function knownStatus(s: Services, modelId: string): string | undefined {
  return s.details.liveStatus(modelId) ?? s.tracked.get(modelId)?.status;
}

function pickItem(s: Services, t: TrackedVersion) {
  const status = knownStatus(s, t.modelId);
  return {
    label: t.name || t.modelId,
    description: status ? `${t.modelId} · ${statusText(status)}` : t.modelId,
    detail: t.modelSetName ?? t.modelSetId,
    target: { modelId: t.modelId, label: trackedTitle(t, t.modelId) },
  };
}

export async function targetsFor(
  services: Services,
  node: unknown,
  nodes: unknown,
  placeholder: string,
  many: boolean,
  options: PickOptions = {},
): Promise<Target[] | undefined> {
  const selected = Array.isArray(nodes) ? (nodes as TreeNode[]).filter((n): n is VersionNode => n instanceof VersionNode) : [];
  if (node instanceof VersionNode) {
    return many && selected.some((n) => n.modelId === node.modelId) ? selected.map(fromNode) : [fromNode(node)];
  }
  if (typeof node === 'string') {
    return [{ modelId: node, label: trackedTitle(services.tracked.get(node), node) }];
  }
  const tracked = services.tracked.list();
  if (tracked.length === 0) {
    void notify(services, 'info', vscode.l10n.t('You are not tracking any model versions yet.'));
    return undefined;
  }
  const applies = options.applies;
  const items = tracked.filter((t) => !applies || applies(knownStatus(services, t.modelId))).map((t) => pickItem(services, t));
  if (items.length === 0) {
    void notify(services, 'info', options.noneApplies ?? vscode.l10n.t('None of your tracked versions can be used for this.'));
    return undefined;
  }
  if (many) {
    const picked = await services.prompts.pickMany(items, { placeHolder: placeholder, matchOnDescription: true, matchOnDetail: true });
    return picked && picked.length > 0 ? picked.map((p) => p.target) : undefined;
  }
  const one = await services.prompts.pickOne(items, { placeHolder: placeholder, matchOnDescription: true, matchOnDetail: true });
  return one ? [one.target] : undefined;
}
