/** Which versions a command acts on: the multi-selection, the clicked node, or a quick pick. */
import * as vscode from 'vscode';
import { type TrackedVersion } from '../core/trackedVersions';
import { type TreeNode, VersionNode } from '../tree/nodes';
import { notify } from './notify';
import { type Services } from './services';

export interface Target {
  readonly modelId: string;
  readonly label: string;
}

function fromNode(node: VersionNode): Target {
  return { modelId: node.modelId, label: node.label };
}

function pickItem(t: TrackedVersion) {
  return {
    label: t.name || t.modelId,
    description: t.modelId,
    detail: t.modelSetName ?? t.modelSetId,
    target: { modelId: t.modelId, label: t.name || t.modelId },
  };
}

export async function targetsFor(services: Services, node: unknown, nodes: unknown, placeholder: string, many: boolean): Promise<Target[] | undefined> {
  const selected = Array.isArray(nodes) ? (nodes as TreeNode[]).filter((n): n is VersionNode => n instanceof VersionNode) : [];
  if (node instanceof VersionNode) {
    return many && selected.some((n) => n.modelId === node.modelId) ? selected.map(fromNode) : [fromNode(node)];
  }
  if (typeof node === 'string') {
    const t = services.tracked.get(node);
    return [{ modelId: node, label: t?.name || node }];
  }
  const tracked = services.tracked.list();
  if (tracked.length === 0) {
    void notify(services, 'info', vscode.l10n.t('You are not tracking any model versions yet.'));
    return undefined;
  }
  const items = tracked.map(pickItem);
  if (many) {
    const picked = await services.prompts.pickMany(items, { placeHolder: placeholder, matchOnDescription: true, matchOnDetail: true });
    return picked && picked.length > 0 ? picked.map((p) => p.target) : undefined;
  }
  const one = await services.prompts.pickOne(items, { placeHolder: placeholder, matchOnDescription: true, matchOnDetail: true });
  return one ? [one.target] : undefined;
}
