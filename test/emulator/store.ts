/** The emulator's in-memory account and the six `/v2/model` actions over it. */
import { createHash, randomBytes } from 'crypto';
import { type Dialect, DIALECTS } from './dialects';
import { type Fixture, type ModelRecord, type VersionRecord } from './fixture';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Sent as an empty body with only `X-Bce-Error-Message: <code>, cause: <message>` (the SDK's auth answers). */
    readonly headerOnly = false,
  ) {
    super(message);
  }
}

/** A missing version or model, as the dialect answers it (Baidu documents no code for it). */
export function missingError(dialect: Dialect, message: string): ApiError {
  return dialect.missing === 'notFound404' ? new ApiError(404, 'ResourceNotFound', message) : new ApiError(400, 'InvalidRequestArgumentError', message);
}

interface ExportRecord {
  exportId: string;
  modelId: string;
  startedAt: number;
  fails: boolean;
}

const MODEL_VERSION_ID = /^amv-[a-z0-9]{6,32}$/;
const MODEL_SET_ID = /^am-[a-z0-9]{6,32}$/;

function requireString(body: Record<string, unknown>, key: string, pattern: RegExp): string {
  const value = body[key];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ApiError(400, 'InappropriateJSON', `param[${key}] invalid.`);
  }
  return value;
}

export class ModelStore {
  readonly models = new Map<string, ModelRecord>();
  readonly versions = new Map<string, VersionRecord>();
  /** The newest export of each version. */
  readonly exports = new Map<string, ExportRecord>();
  /** Every export of each version, oldest first (a dialect may show an older one instead of a failed one). */
  readonly exportHistory = new Map<string, ExportRecord[]>();
  /** How this store answers where Baidu's sources allow several answers. */
  dialect: Dialect = DIALECTS.today;
  exportsCreated = 0;
  /** When set, the file fields of a finished export (served files, see exportFiles.ts). */
  exportFile?: (modelId: string, exportId: string, now: number) => Record<string, unknown>;

  constructor(
    fixture: Fixture,
    public exportDurationMs: number,
  ) {
    for (const m of fixture.models) {
      this.models.set(m.modelSetId, { ...m, versionIds: [...m.versionIds] });
    }
    for (const v of fixture.versions) {
      this.versions.set(v.modelId, { ...v });
    }
  }

  handle(action: string, body: Record<string, unknown>, now: number): unknown {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiError(400, 'InappropriateJSON', 'The request body must be a JSON object.');
    }
    switch (action) {
      case 'DescribeCustomModelSets':
        return this.listModelSets(body);
      case 'DescribeModelSet':
        return this.describeModelSet(body);
      case 'DescribeModel':
        return this.describeModel(body);
      case 'DeleteModel':
        return this.deleteModel(body);
      case 'CreateModelExportTask':
        return this.createExport(body, now);
      case 'DescribeModelExportTask':
        return this.describeExport(body, now);
      default:
        throw new ApiError(400, 'InvalidAction', `The action ${action || '(none)'} is not supported.`);
    }
  }

  private listModelSets(body: Record<string, unknown>): unknown {
    const maxKeys = Math.min(100, Math.max(1, typeof body.maxKeys === 'number' ? Math.floor(body.maxKeys) : 10));
    const ids = [...this.models.keys()];
    if (body.pageReverse === true) {
      ids.reverse();
    }
    let start = 0;
    const marker = typeof body.marker === 'string' || typeof body.marker === 'number' ? String(body.marker) : '';
    if (marker !== '') {
      start = ids.indexOf(marker);
      if (start < 0) {
        throw new ApiError(400, 'InvalidMarker', `The marker ${marker} is invalid.`);
      }
    }
    const pageIds = ids.slice(start, start + maxKeys);
    const isTruncated = start + maxKeys < ids.length;
    return {
      customModelSetList: pageIds.map((id) => {
        const m = this.models.get(id)!;
        return {
          modelSetId: m.modelSetId,
          modelSetName: m.modelSetName,
          modelType: m.modelType,
          labels: m.labels,
          createTime: m.createTime,
          modifyTime: m.modifyTime,
          modelCount: m.versionIds.length,
          modelIds: m.versionIds,
          modelNames: m.versionIds.map((v) => this.versions.get(v)?.modelName ?? ''),
        };
      }),
      pageInfo: { marker: ids[start] ?? '', maxKeys, isTruncated, ...(isTruncated ? { nextMarker: ids[start + maxKeys] } : {}) },
    };
  }

  private describeModelSet(body: Record<string, unknown>): unknown {
    if (body.modelSetId !== undefined && body.modelSetName !== undefined) {
      throw new ApiError(400, 'InappropriateJSON', 'param[modelSetId] and param[modelSetName] cannot both be set.');
    }
    const m =
      body.modelSetName !== undefined
        ? [...this.models.values()].find((x) => x.modelSetName === body.modelSetName)
        : this.models.get(requireString(body, 'modelSetId', MODEL_SET_ID));
    if (!m) {
      throw missingError(this.dialect, 'The model does not exist.');
    }
    return {
      modelSetId: m.modelSetId,
      modelSetName: m.modelSetName,
      modelType: m.modelType,
      source: 'UserCreate',
      labels: m.labels,
      createTime: m.createTime,
      modifyTime: m.modifyTime,
      modelIds: m.versionIds,
      modelNames: m.versionIds.map((v) => this.versions.get(v)?.modelName ?? ''),
    };
  }

  private version(body: Record<string, unknown>): VersionRecord {
    const id = requireString(body, 'modelId', MODEL_VERSION_ID);
    const v = this.versions.get(id);
    if (!v) {
      throw missingError(this.dialect, `The model version ${id} does not exist.`);
    }
    return v;
  }

  private describeModel(body: Record<string, unknown>): unknown {
    const v = this.version(body);
    return {
      modelSetId: v.modelSetId,
      modelId: v.modelId,
      modelName: v.modelName,
      status: v.status,
      model: v.baseModel,
      sourceInfo: { sourceType: v.sourceType },
      ...(v.description ? { description: v.description } : {}),
      createTime: v.createTime,
      modifyTime: v.modifyTime,
      ioMode: v.ioMode,
      ioLength: { input: 8192, output: 2048 },
    };
  }

  private deleteModel(body: Record<string, unknown>): unknown {
    const v = this.version(body);
    this.versions.delete(v.modelId);
    this.exports.delete(v.modelId);
    this.exportHistory.delete(v.modelId);
    const m = this.models.get(v.modelSetId);
    if (m) {
      m.versionIds = m.versionIds.filter((id) => id !== v.modelId);
    }
    return {};
  }

  private createExport(body: Record<string, unknown>, now: number): unknown {
    const v = this.version(body);
    if (v.status !== 'Ready') {
      throw new ApiError(400, 'ModelStatusInvalid', `The model version ${v.modelId} is ${v.status} and cannot be exported.`);
    }
    const exportId = `exp-${randomBytes(6).toString('hex')}`;
    const record = { exportId, modelId: v.modelId, startedAt: now, fails: v.exportFails === true };
    this.exports.set(v.modelId, record);
    this.exportHistory.set(v.modelId, [...(this.exportHistory.get(v.modelId) ?? []), record]);
    this.exportsCreated++;
    return { exportId };
  }

  private describeExport(body: Record<string, unknown>, now: number): unknown {
    const v = this.version(body);
    const task = this.exports.get(v.modelId);
    if (!task) {
      return { hasRecord: false };
    }
    return this.exportView(v, task, now);
  }

  private finished(task: ExportRecord, now: number): boolean {
    return now - task.startedAt >= this.exportDurationMs;
  }

  /** What DescribeModelExportTask shows of `task`; a failed task as the dialect shows it. */
  private exportView(v: VersionRecord, task: ExportRecord, now: number): unknown {
    if (!this.finished(task, now)) {
      return { exportId: task.exportId, hasRecord: true, status: 'Doing' };
    }
    if (task.fails) {
      if (this.dialect.failedExport === 'fail') {
        return { exportId: task.exportId, hasRecord: true, status: 'Fail' };
      }
      const older = (this.exportHistory.get(v.modelId) ?? []).filter((t) => t !== task && !t.fails && this.finished(t, now)).pop();
      return this.dialect.failedExport === 'older' && older ? this.exportView(v, older, now) : { hasRecord: false };
    }
    if (this.exportFile) {
      return { exportId: task.exportId, hasRecord: true, status: 'Done', ...this.exportFile(v.modelId, task.exportId, now) };
    }
    const content = `${v.modelSetId}/${v.modelId}/${task.exportId}`;
    return {
      exportId: task.exportId,
      hasRecord: true,
      status: 'Done',
      fileName: `${v.modelId}-${task.exportId}.tar.gz`,
      fileType: 'tar.gz',
      md5: createHash('md5').update(content).digest('hex'),
      fileSize: 1_048_576 + content.length,
      downloadUrl: `https://bj.bcebos.com/qianfan-export/${v.modelId}/${task.exportId}.tar.gz?authorization=demo`,
    };
  }
}
