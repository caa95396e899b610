/**
 * Which services run the versions about to be deleted, so the delete can say what it would break.
 *
 * Facts [doc] (docs/qianfan-api.md §6):
 * - `POST /v2/service?Action=DescribeServices` lists the account's custom services, paged like
 *   DescribeCustomModelSets (`marker`, `maxKeys` ≤ 100), **of one `protocolVersion`** (1, the
 *   default, or 2; every doc example sends 2): a complete answer needs both, merged by `serviceId`.
 *   It needs QianfanFullControlAccessPolicy, QianfanDataOperateAccessPolicy or
 *   QianfanDataFullControlAccessPolicy — https://cloud.baidu.com/doc/WENXINWORKSHOP/s/0lub6chm4
 * - `POST /v2/service?Action=DescribeService {serviceId}` names the version it runs as `modelId`
 *   (模型版本ID) in the doc, but as `modelVersionId` (with `modelId` = the `am-…` model) in the
 *   SDK's mock: whichever holds an `amv-` ID names the version — https://cloud.baidu.com/doc/qianfan/s/Kmh4sv4c7
 *   It needs QianfanServiceReadAccessPolicy, QianfanServiceOperateAccessPolicy or
 *   QianfanFullControlAccessPolicy.
 * [inferred] The list's item fields are not spelled out where we could read them: a list item
 * that names its version is taken at its word; otherwise DescribeService is asked, one service
 * at a time through the client's limiter.
 */
import { CancelledError, QianfanError, isCancelled } from './errors';
import { isModelVersionId } from '../base/ids';
import { ShapeError } from './model';
import { SERVICE_LIST_POLICIES, SERVICE_READ_POLICIES, permissionFor } from './permissions';

export { SERVICE_LIST_POLICIES, SERVICE_READ_POLICIES };

export interface ServiceRef {
  readonly serviceId: string;
  readonly name: string;
  readonly runStatus?: string;
  /** The version it runs, when known. */
  readonly modelId?: string;
}

export interface ServicePage {
  readonly items: readonly ServiceRef[];
  readonly isTruncated: boolean;
  readonly nextMarker?: string;
}

/** At most this many pages of services are read (100 each): beyond, the check gives up and says so. */
export const MAX_SERVICE_PAGES = 100;

export type DeploymentCheck =
  | { readonly kind: 'checked'; readonly services: number; readonly running: ReadonlyMap<string, readonly ServiceRef[]> }
  | { readonly kind: 'skipped'; readonly reason: 'permission'; readonly policies: readonly string[] }
  | { readonly kind: 'skipped'; readonly reason: 'failed'; readonly error: unknown };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function serviceRef(raw: unknown): ServiceRef {
  if (!isObject(raw)) {
    throw new ShapeError('a service is not an object');
  }
  const serviceId = text(raw, 'serviceId');
  if (!serviceId) {
    throw new ShapeError('a service has no "serviceId"');
  }
  // the doc's `modelId` or the SDK's `modelVersionId`: whichever holds a version ID
  const modelId = [text(raw, 'modelId'), text(raw, 'modelVersionId')].find((id) => id !== undefined && isModelVersionId(id));
  return {
    serviceId,
    name: text(raw, 'name') ?? serviceId,
    runStatus: text(raw, 'runStatus'),
    modelId,
  };
}

/** A DescribeServices result: its list (`serviceList`, or its only list) and the paging. */
export function parseServicePage(result: unknown): ServicePage {
  if (!isObject(result)) {
    throw new ShapeError('result is not an object');
  }
  let list = result.serviceList;
  if (list === undefined) {
    const lists = Object.values(result).filter(Array.isArray);
    if (lists.length > 1) {
      throw new ShapeError('the services list is not recognisable (several lists, none "serviceList")');
    }
    list = lists[0] ?? [];
  }
  if (!Array.isArray(list)) {
    throw new ShapeError('field "serviceList" is not a list');
  }
  const page = isObject(result.pageInfo) ? result.pageInfo : {};
  return { items: list.map(serviceRef), isTruncated: page.isTruncated === true, nextMarker: text(page, 'nextMarker') };
}

/** A DescribeService result. */
export function parseServiceDetail(result: unknown): ServiceRef {
  return serviceRef(result);
}

/** The protocol versions whose services are listed, each on its own. */
export const PROTOCOL_VERSIONS = [1, 2] as const;

/** What the check needs of the client. */
export interface ServicesApi {
  listServices(page: { marker?: string; maxKeys?: number; protocolVersion: 1 | 2 }, signal?: AbortSignal): Promise<ServicePage>;
  describeService(serviceId: string, signal?: AbortSignal): Promise<ServiceRef>;
}

function isPermissionError(error: unknown): error is QianfanError {
  return error instanceof QianfanError && error.errorClass === 'permission' && error.code !== 'OptInRequired';
}

/** Every page of one protocol version's services. */
async function listProtocol(api: ServicesApi, protocolVersion: 1 | 2, signal: AbortSignal | undefined): Promise<ServiceRef[]> {
  const all: ServiceRef[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let page = 0; ; page++) {
    if (signal?.aborted) {
      throw new CancelledError();
    }
    if (page >= MAX_SERVICE_PAGES) {
      throw new QianfanError({ kind: 'tooLarge', action: 'DescribeServices', message: `more than ${MAX_SERVICE_PAGES} pages of services` });
    }
    const result = await api.listServices({ marker, maxKeys: 100, protocolVersion }, signal);
    all.push(...result.items);
    if (!result.isTruncated) {
      return all;
    }
    if (!result.nextMarker || seen.has(result.nextMarker)) {
      throw new QianfanError({ kind: 'badResponse', action: 'DescribeServices', message: 'a truncated page of services came without a new nextMarker' });
    }
    seen.add(result.nextMarker);
    marker = result.nextMarker;
  }
}

/**
 * Finds the services that run any of `versionIds`: every page of DescribeServices of each
 * protocol version, merged by `serviceId`, then DescribeService for the services whose list item
 * does not name a version (all at once, the client's limiter sets the pace). A cancel is thrown
 * on; any other failure skips the check, saying why (no permission, with the policies of the
 * action refused, or the failure itself).
 */
export async function findDeployments(versionIds: readonly string[], api: ServicesApi, signal?: AbortSignal): Promise<DeploymentCheck> {
  const wanted = new Set(versionIds);
  const stop = new AbortController(); // a failure in one listing stops the other
  const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  try {
    const lists = await Promise.all(
      PROTOCOL_VERSIONS.map((v) =>
        listProtocol(api, v, both).catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
    const byId = new Map<string, ServiceRef>();
    for (const service of lists.flat()) {
      const known = byId.get(service.serviceId);
      if (!known || (!known.modelId && service.modelId)) {
        byId.set(service.serviceId, service);
      }
    }
    const all = [...byId.values()];
    const described = await Promise.all(all.map((s) => (s.modelId ? Promise.resolve(s) : api.describeService(s.serviceId, both))));
    const running = new Map<string, ServiceRef[]>();
    for (const service of described) {
      if (service.modelId && wanted.has(service.modelId)) {
        running.set(service.modelId, [...(running.get(service.modelId) ?? []), service]);
      }
    }
    return { kind: 'checked', services: all.length, running };
  } catch (error) {
    if (isCancelled(error)) {
      throw error;
    }
    return isPermissionError(error)
      ? { kind: 'skipped', reason: 'permission', policies: permissionFor(error.action)?.policies ?? SERVICE_LIST_POLICIES }
      : { kind: 'skipped', reason: 'failed', error };
  }
}
