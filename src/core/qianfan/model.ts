/** Typed results of the `/v2/model` actions, and their checked parsing from JSON. */

export type VersionStatus = 'Ready' | 'Creating' | 'Fail' | (string & {});
export type ExportStatus = 'Doing' | 'Done' | 'Fail' | (string & {});

export interface CustomModelSet {
  readonly modelSetId: string;
  readonly modelSetName: string;
  readonly modelType: string;
  readonly labels: readonly string[];
  readonly createTime: string;
  readonly modifyTime: string;
  readonly modelCount: number;
  readonly modelIds: readonly string[];
  readonly modelNames: readonly string[];
  /** False when the answer gave no list of versions (`modelIds` missing): then `modelIds` says nothing. */
  readonly versionsListed?: boolean;
}

export interface PageInfo {
  readonly marker: string;
  readonly maxKeys: number;
  readonly isTruncated: boolean;
  readonly nextMarker?: string;
}

export interface CustomModelSetPage {
  readonly items: readonly CustomModelSet[];
  readonly pageInfo: PageInfo;
}

export interface ModelSetDetail {
  readonly modelSetId: string;
  readonly modelSetName: string;
  readonly modelType: string;
  readonly source: string;
  readonly labels: readonly string[];
  readonly createTime: string;
  readonly modifyTime: string;
  readonly description?: string;
  readonly modelIds: readonly string[];
  readonly modelNames: readonly string[];
  /** False when the answer gave no list of versions (`modelIds` missing): then `modelIds` says nothing. */
  readonly versionsListed?: boolean;
}

export interface ModelVersionDetail {
  readonly modelSetId: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly status: VersionStatus;
  readonly model?: string;
  readonly description?: string;
  readonly createTime?: string;
  readonly modifyTime?: string;
  readonly ioMode?: string;
  readonly sourceType?: string;
}

export interface ExportTask {
  readonly exportId?: string;
  readonly hasRecord: boolean;
  readonly status?: ExportStatus;
  readonly fileName?: string;
  readonly fileType?: string;
  readonly md5?: string;
  readonly fileSize?: number;
  readonly downloadUrl?: string;
}

/** Thrown by the parsers; the client turns it into a 'badResponse' QianfanError. */
export class ShapeError extends Error {}

type Json = Record<string, unknown>;

function obj(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShapeError(`${what} is not an object`);
  }
  return value as Json;
}

function str(o: Json, key: string, required = true): string {
  const v = o[key];
  if (typeof v === 'string') {
    return v;
  }
  if (v === undefined || v === null) {
    if (required) {
      throw new ShapeError(`field "${key}" is missing`);
    }
    return '';
  }
  throw new ShapeError(`field "${key}" is not a string`);
}

function optStr(o: Json, key: string): string | undefined {
  return str(o, key, false) || undefined;
}

function strArray(o: Json, key: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) {
    return [];
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new ShapeError(`field "${key}" is not a list of strings`);
  }
  return v as string[];
}

function num(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    return undefined;
  }
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    throw new ShapeError(`field "${key}" is not a number`);
  }
  return n;
}

export function parseCustomModelSetPage(result: unknown): CustomModelSetPage {
  const r = obj(result, 'result');
  const list = r.customModelSetList ?? [];
  if (!Array.isArray(list)) {
    throw new ShapeError('field "customModelSetList" is not a list');
  }
  const items = list.map((raw): CustomModelSet => {
    const m = obj(raw, 'a model');
    const modelIds = strArray(m, 'modelIds');
    return {
      modelSetId: str(m, 'modelSetId'),
      modelSetName: str(m, 'modelSetName', false),
      modelType: str(m, 'modelType', false),
      labels: strArray(m, 'labels'),
      createTime: str(m, 'createTime', false),
      modifyTime: str(m, 'modifyTime', false),
      modelCount: num(m, 'modelCount') ?? modelIds.length,
      modelIds,
      modelNames: strArray(m, 'modelNames'),
      ...(Array.isArray(m.modelIds) ? {} : { versionsListed: false }),
    };
  });
  const p = obj(r.pageInfo ?? {}, 'pageInfo');
  const pageInfo: PageInfo = {
    marker: str(p, 'marker', false),
    maxKeys: num(p, 'maxKeys') ?? items.length,
    isTruncated: p.isTruncated === true,
    nextMarker: optStr(p, 'nextMarker'),
  };
  return { items, pageInfo };
}

export function parseModelSetDetail(result: unknown): ModelSetDetail {
  const r = obj(result, 'result');
  return {
    modelSetId: str(r, 'modelSetId'),
    modelSetName: str(r, 'modelSetName', false),
    modelType: str(r, 'modelType', false),
    source: str(r, 'source', false),
    labels: strArray(r, 'labels'),
    createTime: str(r, 'createTime', false),
    modifyTime: str(r, 'modifyTime', false),
    description: optStr(r, 'description'),
    modelIds: strArray(r, 'modelIds'),
    modelNames: strArray(r, 'modelNames'),
    ...(Array.isArray(r.modelIds) ? {} : { versionsListed: false }),
  };
}

export function parseModelVersionDetail(result: unknown): ModelVersionDetail {
  const r = obj(result, 'result');
  const source = r.sourceInfo === undefined || r.sourceInfo === null ? {} : obj(r.sourceInfo, 'sourceInfo');
  return {
    modelSetId: str(r, 'modelSetId'),
    modelId: str(r, 'modelId'),
    modelName: str(r, 'modelName', false),
    status: str(r, 'status'),
    model: optStr(r, 'model'),
    description: optStr(r, 'description'),
    createTime: optStr(r, 'createTime'),
    modifyTime: optStr(r, 'modifyTime'),
    ioMode: optStr(r, 'ioMode'),
    sourceType: optStr(source, 'sourceType'),
  };
}

export function parseExportId(result: unknown): string {
  return str(obj(result, 'result'), 'exportId');
}

export function parseExportTask(result: unknown): ExportTask {
  const r = obj(result, 'result');
  return {
    exportId: optStr(r, 'exportId'),
    hasRecord: r.hasRecord === true,
    status: optStr(r, 'status'),
    fileName: optStr(r, 'fileName'),
    fileType: optStr(r, 'fileType'),
    md5: optStr(r, 'md5'),
    fileSize: num(r, 'fileSize'),
    downloadUrl: optStr(r, 'downloadUrl'),
  };
}
