/**
 * What a chat tool is given for a version ("amv-…", "model / V2", or "model / V2 (amv-…)" as
 * qianfan_listModelVersions writes it) as the version a command acts on, from the active
 * profile's tracked versions and what this window learnt of them (the tree's own stores).
 */
import * as vscode from 'vscode';
import { dataText, unescapeData } from '../core/base/chatText';
import { isModelVersionId } from '../core/base/ids';
import { type TrackedVersion } from '../core/state/trackedVersions';
import { matchable } from '../core/state/viewFilter';
import { type Target } from '../commands/selection';
import { type Services } from '../commands/services';
import { versionTitle } from '../tree/nodes';

export type Resolved = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly problem: string };

const VERSION_ID_IN_TEXT = /\bamv-[a-z0-9]{6,32}\b/;

function norm(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The version's name: as Qianfan gave it in this window, else as stored. */
export function nameOf(s: Services, t: TrackedVersion): string | undefined {
  return matchable(t, s.details.get(t.modelId)).name;
}

/** "model / V2 (amv-…)" from what is known of a tracked version. */
export function titleOf(s: Services, t: TrackedVersion): string {
  return versionTitle(t.modelSetName ?? t.modelSetId, nameOf(s, t), t.modelId);
}

/** The tracked versions whose "model / version" is the text (model by name or ID, case ignored). */
function byName(s: Services, text: string): TrackedVersion[] {
  // as an answer wrote it: the backslashes it put before Markdown characters taken out
  const wanted = norm(unescapeData(text));
  return s.tracked.view().filter((t) => {
    const name = nameOf(s, t);
    if (!name) {
      return false;
    }
    return [t.modelSetName, t.modelSetId].some((model) => model !== undefined && norm(`${model} / ${name}`) === wanted);
  });
}

/**
 * The version a reference names. An ID not tracked is taken as given; with `lookUp`, Qianfan is
 * asked for its model and version names, so that a confirmation can name it fully.
 */
export async function resolveVersion(s: Services, reference: string, lookUp = false, signal?: AbortSignal): Promise<Resolved> {
  const text = reference.trim();
  const id = VERSION_ID_IN_TEXT.exec(text)?.[0];
  if (id && isModelVersionId(id)) {
    const tracked = s.tracked.get(id);
    if (tracked) {
      return { ok: true, target: { modelId: id, label: titleOf(s, tracked) } };
    }
    return { ok: true, target: { modelId: id, label: lookUp ? await lookUpTitle(s, id, signal) : id } };
  }
  const found = byName(s, text);
  if (found.length === 1) {
    return { ok: true, target: { modelId: found[0].modelId, label: titleOf(s, found[0]) } };
  }
  if (found.length > 1) {
    return {
      ok: false,
      problem: vscode.l10n.t(
        '“{0}” names more than one tracked version: {1}. Give the ID (amv-…).',
        dataText(text),
        found.map((t) => dataText(titleOf(s, t))).join(', '),
      ),
    };
  }
  return {
    ok: false,
    problem: vscode.l10n.t('No tracked version is “{0}”. Give its ID (amv-…) or “model / version” as qianfan_listModelVersions lists it.', dataText(text)),
  };
}

/** "model / V2 (amv-…)" as Qianfan names an untracked version; the ID alone when it cannot be asked. */
async function lookUpTitle(s: Services, modelId: string, signal?: AbortSignal): Promise<string> {
  try {
    const client = s.client();
    const detail = await client.describeModel(modelId, { signal });
    const set = await client.describeModelSet(detail.modelSetId, { signal }).catch(() => undefined);
    return versionTitle(set?.modelSetName || detail.modelSetId, detail.modelName, modelId);
  } catch {
    return modelId;
  }
}

/** Every reference resolved (duplicates once), and what could not be. */
export async function resolveAll(
  s: Services,
  references: readonly string[],
  lookUp = false,
  signal?: AbortSignal,
): Promise<{ targets: Target[]; problems: string[] }> {
  const targets: Target[] = [];
  const problems: string[] = [];
  for (const reference of references) {
    const r = await resolveVersion(s, reference, lookUp, signal);
    if (!r.ok) {
      problems.push(r.problem);
    } else if (!targets.some((t) => t.modelId === r.target.modelId)) {
      targets.push(r.target);
    }
  }
  return { targets, problems };
}
