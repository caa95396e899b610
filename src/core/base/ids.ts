/** Qianfan resource IDs: models (model sets) are `am-…`, model versions are `amv-…`. */

const MODEL_VERSION_ID = /^amv-[a-z0-9]{6,32}$/;
const MODEL_SET_ID = /^am-[a-z0-9]{6,32}$/;

export function isModelVersionId(value: string): boolean {
  return MODEL_VERSION_ID.test(value);
}

export function isModelSetId(value: string): boolean {
  return MODEL_SET_ID.test(value);
}

/**
 * Why a text is not a model version ID, as a code the UI words (no English from the core):
 * - empty: nothing typed;
 * - modelId: a model's ID (`am-…`), where a version's is needed;
 * - apiKey: an application API Key (`bce-v3/…`) pasted by mistake;
 * - upperCase: a version ID in capitals (IDs are lower-case; `suggestion` is the ID);
 * - contains: a longer text (a URL, "V1 (amv-…)") with one version ID in it (`suggestion`);
 * - notAnId: anything else.
 */
export type VersionIdProblem =
  { readonly code: 'empty' | 'modelId' | 'apiKey' | 'notAnId' } | { readonly code: 'upperCase' | 'contains'; readonly suggestion: string };

export function modelVersionIdProblem(value: string): VersionIdProblem | undefined {
  const id = value.trim();
  if (!id) {
    return { code: 'empty' };
  }
  if (isModelVersionId(id)) {
    return undefined;
  }
  if (isModelSetId(id)) {
    return { code: 'modelId' };
  }
  if (/^bce-v3\//i.test(id)) {
    return { code: 'apiKey' };
  }
  if (isModelVersionId(id.toLowerCase())) {
    return { code: 'upperCase', suggestion: id.toLowerCase() };
  }
  const inside = [...new Set(id.match(/amv-[a-z0-9]{6,32}(?![a-z0-9])/g) ?? [])];
  if (inside.length === 1) {
    return { code: 'contains', suggestion: inside[0] };
  }
  return { code: 'notAnId' };
}

/** Why an access key / secret key is not acceptable, or undefined when it is. */
export function accessKeyProblem(value: string, label: string): string | undefined {
  const key = value.trim();
  if (!key) {
    return `Enter the ${label}.`;
  }
  if (!/^[A-Za-z0-9]{16,128}$/.test(key)) {
    return `The ${label} is 16 to 128 letters and digits, with no spaces.`;
  }
  return undefined;
}
