/** contextValue strings that package.json menus match (a unit test keeps them in step). */
export const CONTEXT = {
  model: 'qianfan.model',
  /** A followed model (its menus offer Unfollow instead of Follow). */
  modelFollowed: 'qianfan.model.followed',
  versionReady: 'qianfan.version.ready',
  versionCreating: 'qianfan.version.creating',
  versionFail: 'qianfan.version.fail',
  versionUnknown: 'qianfan.version.unknown',
  versionMissing: 'qianfan.version.missing',
  exportedSuffix: '.exported',
  error: 'qianfan.error',
  action: 'qianfan.action',
} as const;

export function versionContext(status: string | undefined, missing: boolean, exported: boolean): string {
  const base = missing
    ? CONTEXT.versionMissing
    : status === 'Ready'
      ? CONTEXT.versionReady
      : status === 'Creating'
        ? CONTEXT.versionCreating
        : status === 'Fail'
          ? CONTEXT.versionFail
          : CONTEXT.versionUnknown;
  return exported ? base + CONTEXT.exportedSuffix : base;
}

/** Every contextValue the tree can produce. */
export function allContextValues(): string[] {
  const versions = [CONTEXT.versionReady, CONTEXT.versionCreating, CONTEXT.versionFail, CONTEXT.versionUnknown, CONTEXT.versionMissing];
  return [CONTEXT.model, CONTEXT.modelFollowed, CONTEXT.error, CONTEXT.action, ...versions, ...versions.map((v) => v + CONTEXT.exportedSuffix)];
}
