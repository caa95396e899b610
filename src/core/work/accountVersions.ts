/**
 * The account's model versions read from Qianfan itself (no tracked list): what the command line
 * and the MCP server list, and how they find the version a text names ("amv-…", "model / V2", or
 * "model / V2 (amv-…)" as they write it).
 */
import { isModelSetId, isModelVersionId } from '../base/ids';
import { isCancelled } from '../qianfan/errors';
import { type CallOptions } from '../qianfan/requestRunner';
import { type CustomModelSet, type ModelSetDetail } from '../qianfan/model';

export interface AccountVersion {
  readonly modelSetId: string;
  readonly modelSetName: string;
  readonly modelId: string;
  /** The version's name (V1, V2…), when the listing gave one. */
  readonly name?: string;
}

export interface AccountReader {
  listAllCustomModelSets(opts?: CallOptions): Promise<CustomModelSet[]>;
  describeModelSet(modelSetId: string, opts?: CallOptions): Promise<ModelSetDetail>;
}

type Listed = Pick<CustomModelSet, 'modelSetId' | 'modelSetName' | 'modelIds' | 'modelNames' | 'versionsListed'>;

function versionsOf(m: Listed): AccountVersion[] {
  return m.modelIds.map((modelId, i) => ({ modelSetId: m.modelSetId, modelSetName: m.modelSetName, modelId, name: m.modelNames[i] || undefined }));
}

/**
 * The versions of the account (every page of DescribeCustomModelSets), or of the models named
 * (DescribeModelSet each); a listed model whose answer gave no list of versions is described.
 */
export async function accountVersions(client: AccountReader, models: readonly string[] = [], opts: CallOptions = {}): Promise<AccountVersion[]> {
  const listed: Listed[] =
    models.length > 0
      ? await Promise.all(models.map((id) => client.describeModelSet(id, opts)))
      : await Promise.all(
          (await client.listAllCustomModelSets(opts)).map((m) =>
            m.versionsListed === false ? client.describeModelSet(m.modelSetId, opts) : Promise.resolve(m),
          ),
        );
  return listed.flatMap(versionsOf);
}

/** "model / V2 (amv-…)": the way every door writes a version. */
export function versionLabel(v: Pick<AccountVersion, 'modelSetName' | 'modelSetId' | 'name' | 'modelId'>): string {
  const version = v.name && v.name !== v.modelId ? `${v.name} (${v.modelId})` : v.modelId;
  const model = v.modelSetName || v.modelSetId;
  return model ? `${model} / ${version}` : version;
}

export type Reference =
  | { readonly kind: 'version'; readonly modelId: string; readonly version?: AccountVersion }
  | { readonly kind: 'model'; readonly modelSetId: string }
  | { readonly kind: 'unknown' | 'ambiguous'; readonly text: string };

const VERSION_ID_IN_TEXT = /\bamv-[a-z0-9]{6,32}\b/g;

function norm(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * What a text names among these versions: a version ID (alone, or the one ID in "model / V2
 * (amv-…)"), a model ID, or "model / version" by the model's name or ID (case ignored). The
 * versions are needed only for a name.
 */
export function resolveReference(text: string, versions: readonly AccountVersion[] = []): Reference {
  const t = text.trim();
  if (isModelSetId(t)) {
    return { kind: 'model', modelSetId: t };
  }
  const ids = [...new Set(t.match(VERSION_ID_IN_TEXT) ?? [])];
  if (ids.length === 1 && isModelVersionId(ids[0])) {
    return { kind: 'version', modelId: ids[0], version: versions.find((v) => v.modelId === ids[0]) };
  }
  if (ids.length > 1) {
    return { kind: 'ambiguous', text: t };
  }
  const wanted = norm(t);
  const found = versions.filter((v) => v.name && [v.modelSetName, v.modelSetId].some((m) => m && norm(`${m} / ${v.name}`) === wanted));
  if (found.length === 1) {
    return { kind: 'version', modelId: found[0].modelId, version: found[0] };
  }
  return { kind: found.length > 1 ? 'ambiguous' : 'unknown', text: t };
}

/** The names a user knows a version by (its model's and its own), asked of Qianfan; none when it cannot tell (a cancel is thrown on). */
export async function versionNames(
  api: Pick<AccountReader, 'describeModelSet'> & { describeModel(modelId: string, opts?: CallOptions): Promise<{ modelSetId: string; modelName: string }> },
  modelId: string,
  opts: CallOptions = {},
): Promise<{ readonly model?: string; readonly version?: string }> {
  try {
    const version = await api.describeModel(modelId, opts);
    const model = await api.describeModelSet(version.modelSetId, opts);
    return { model: model.modelSetName || version.modelSetId, version: version.modelName || undefined };
  } catch (error) {
    if (isCancelled(error)) {
      throw error;
    }
    return {}; // the names are a nicety: the ID will do
  }
}
