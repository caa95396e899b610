/**
 * What every command that calls Qianfan starts from: the keys and endpoint from the environment
 * (src/node/environment.ts), the signed client, and the state file of that endpoint; and the
 * checks of IDs typed. Any problem is an error before a request is sent (exit 2).
 */
import { isModelSetId, modelVersionIdProblem } from '../core/base/ids';
import { type QianfanClient } from '../core/qianfan/qianfanClient';
import { clientFor, endpointFrom, keysFrom } from '../node/environment';
import { JsonStateFile, stateFileFor, stateFolder } from '../node/jsonStateFile';
import { type Output, UsageError } from './output';

export interface Context {
  readonly out: Output;
  readonly client: QianfanClient;
  readonly state: JsonStateFile;
  /** Aborted on Ctrl+C. */
  readonly signal: AbortSignal;
}

/** A version ID, or a UsageError saying why the text is not one. */
export function versionId(text: string): string {
  const problem = modelVersionIdProblem(text);
  if (!problem) {
    return text.trim();
  }
  const why: Record<string, string> = {
    empty: 'an empty version ID',
    modelId: `"${text}" is a model ID (am-…); a version ID (amv-…) is needed`,
    apiKey: 'that looks like an API key, not a version ID (amv-…)',
    upperCase: `version IDs are lower-case: ${'suggestion' in problem ? problem.suggestion : ''}`,
    contains: `not a version ID; did you mean ${'suggestion' in problem ? problem.suggestion : ''}?`,
    notAnId: `"${text.slice(0, 80)}" is not a model version ID (amv-…)`,
  };
  throw new UsageError(why[problem.code]);
}

/** A model ID, or a UsageError. */
export function modelSetId(text: string): string {
  if (!isModelSetId(text.trim())) {
    throw new UsageError(`"${text.slice(0, 80)}" is not a model ID (am-…)`);
  }
  return text.trim();
}

export function makeContext(out: Output, endpointOption: string | undefined, env: NodeJS.ProcessEnv, signal: AbortSignal, version: string): Context {
  const endpoint = endpointFrom(endpointOption, env);
  const keys = keysFrom(env);
  out.redactor.addSecret(keys.secretAccessKey);
  out.redactor.addSecret(keys.accessKeyId);
  const client = clientFor(endpoint, keys, `qianfan-models-cli/${version}`, env);
  return { out, client, state: new JsonStateFile(stateFileFor(stateFolder(env), endpoint)), signal };
}
