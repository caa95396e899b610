/** Qianfan resource IDs: models (model sets) are `am-…`, model versions are `amv-…`. */

const MODEL_VERSION_ID = /^amv-[a-z0-9]{6,32}$/;
const MODEL_SET_ID = /^am-[a-z0-9]{6,32}$/;

export function isModelVersionId(value: string): boolean {
  return MODEL_VERSION_ID.test(value);
}

export function isModelSetId(value: string): boolean {
  return MODEL_SET_ID.test(value);
}

/** Why a model version ID is not acceptable, or undefined when it is. */
export function modelVersionIdProblem(value: string): string | undefined {
  const id = value.trim();
  if (!id) {
    return 'Enter a model version ID, such as amv-g73j3faikzpz.';
  }
  if (isModelSetId(id)) {
    return `${id} is a model ID; a model version ID starts with "amv-".`;
  }
  if (!isModelVersionId(id)) {
    return `"${id.slice(0, 64)}" is not a model version ID (amv- followed by lower-case letters and digits).`;
  }
  return undefined;
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
