/**
 * What every command that calls Qianfan starts from: the keys from the environment (the SDKs'
 * names, never an option nor a file), the endpoint (--endpoint, QIANFAN_ENDPOINT; https, plain
 * http only on loopback), the signed client, and the state file of that endpoint. Any problem is
 * a UsageError before a request is sent.
 */
import { accessKeyProblem, isModelSetId, modelVersionIdProblem } from '../core/base/ids';
import { DEFAULT_ENDPOINT, parseEndpoint } from '../core/qianfan/endpoint';
import { QianfanClient } from '../core/qianfan/qianfanClient';
import { type AccessKeyPair } from '../core/qianfan/signer';
import { NodeFetchTransport } from '../node/nodeFetchTransport';
import { JsonStateFile, stateFileFor, stateFolder } from '../node/jsonStateFile';
import { type Output, UsageError } from './output';

export const ACCESS_KEY_VAR = 'QIANFAN_ACCESS_KEY';
export const SECRET_KEY_VAR = 'QIANFAN_SECRET_KEY';
export const ENDPOINT_VAR = 'QIANFAN_ENDPOINT';

export interface Context {
  readonly out: Output;
  readonly client: QianfanClient;
  readonly state: JsonStateFile;
  /** Aborted on Ctrl+C. */
  readonly signal: AbortSignal;
}

/** The keys from the environment, or a UsageError naming what is missing or malformed (never the value). */
export function keysFrom(env: NodeJS.ProcessEnv): AccessKeyPair {
  const ak = env[ACCESS_KEY_VAR] ?? '';
  const sk = env[SECRET_KEY_VAR] ?? '';
  if (!ak.trim() || !sk.trim()) {
    throw new UsageError(`set ${ACCESS_KEY_VAR} and ${SECRET_KEY_VAR} in the environment (the keys are never taken as options)`);
  }
  const problem = accessKeyProblem(ak, `access key (${ACCESS_KEY_VAR})`) ?? accessKeyProblem(sk, `secret key (${SECRET_KEY_VAR})`);
  if (problem) {
    throw new UsageError(problem);
  }
  return { accessKeyId: ak.trim(), secretAccessKey: sk.trim() };
}

/** The endpoint's origin, or a UsageError with the https rule. */
export function endpointFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  try {
    return parseEndpoint(option ?? env[ENDPOINT_VAR] ?? DEFAULT_ENDPOINT).origin;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
  const timeout = Number(env.QIANFAN_TIMEOUT_SECONDS);
  const client = new QianfanClient({
    endpoint,
    credentials: () => keys,
    transport: new NodeFetchTransport(),
    userAgent: `qianfan-models-cli/${version}`,
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
  return { out, client, state: new JsonStateFile(stateFileFor(stateFolder(env), endpoint)), signal };
}
