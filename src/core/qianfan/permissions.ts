/**
 * The IAM policies that allow each action, from Qianfan's documented permission lists
 * (docs/qianfan-api.md §3.9–3.10: each action page's 权限说明). A read-only key can list and
 * describe models, but deleting, exporting and even following an export need full control.
 */

/** Reading models: DescribeCustomModelSets, DescribeModelSet, DescribeModel. */
export const READ_POLICIES = [
  'QianfanFullControlAccessPolicy',
  'QianfanReadAccessPolicy',
  'QianfanModelTuningFullControlAccessPolicy',
  'QianfanModelTuningReadAccessPolicy',
] as const;

/** DeleteModel, CreateModelExportTask and DescribeModelExportTask. */
export const WRITE_POLICIES = ['QianfanFullControlAccessPolicy', 'QianfanModelTuningFullControlAccessPolicy'] as const;

/** DescribeService (its page's 权限说明). */
export const SERVICE_READ_POLICIES = ['QianfanServiceReadAccessPolicy', 'QianfanServiceOperateAccessPolicy', 'QianfanFullControlAccessPolicy'] as const;

/** DescribeServices: its own page names these, not the service-read ones (docs/qianfan-api.md §6). */
export const SERVICE_LIST_POLICIES = ['QianfanFullControlAccessPolicy', 'QianfanDataOperateAccessPolicy', 'QianfanDataFullControlAccessPolicy'] as const;

/** What an action does, as a code the UI words. */
export type ActionPurpose = 'read' | 'delete' | 'export' | 'followExport' | 'readServices' | 'listServices';

const PURPOSES: Readonly<Record<string, ActionPurpose>> = {
  DescribeCustomModelSets: 'read',
  DescribeModelSet: 'read',
  DescribeModel: 'read',
  DeleteModel: 'delete',
  DeleteModelSet: 'delete',
  CreateModelExportTask: 'export',
  DescribeModelExportTask: 'followExport',
  DescribeServices: 'listServices',
  DescribeService: 'readServices',
};

/** The purpose of an action and the policies that allow it, or undefined for an action we do not know. */
export function permissionFor(action: string | undefined): { purpose: ActionPurpose; policies: readonly string[] } | undefined {
  const purpose = action !== undefined && Object.prototype.hasOwnProperty.call(PURPOSES, action) ? PURPOSES[action] : undefined;
  switch (purpose) {
    case undefined:
      return undefined;
    case 'read':
      return { purpose, policies: READ_POLICIES };
    case 'readServices':
      return { purpose, policies: SERVICE_READ_POLICIES };
    case 'listServices':
      return { purpose, policies: SERVICE_LIST_POLICIES };
    default:
      return { purpose, policies: WRITE_POLICIES };
  }
}
