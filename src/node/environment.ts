/**
 * What a process outside VS Code (the command line, the MCP server) takes from its environment:
 * the keys (QIANFAN_ACCESS_KEY / QIANFAN_SECRET_KEY, the SDKs' names: never an option nor a
 * file), the endpoint (an option, else QIANFAN_ENDPOINT; https, plain http only on loopback),
 * and the signed client over node-fetch. A problem is a ConfigError, before any request.
 */
import { accessKeyProblem } from '../core/base/ids';
import { DEFAULT_ENDPOINT, parseEndpoint } from '../core/qianfan/endpoint';
import { QianfanClient } from '../core/qianfan/qianfanClient';
import { type AccessKeyPair } from '../core/qianfan/signer';
import { NodeFetchTransport } from './nodeFetchTransport';

export const ACCESS_KEY_VAR = 'QIANFAN_ACCESS_KEY';
export const SECRET_KEY_VAR = 'QIANFAN_SECRET_KEY';
export const ENDPOINT_VAR = 'QIANFAN_ENDPOINT';

/** The environment does not give what is needed (keys, a good endpoint): nothing was sent. */
export class ConfigError extends Error {}

/** The keys from the environment, or a ConfigError naming what is missing or malformed (never the value). */
export function keysFrom(env: NodeJS.ProcessEnv): AccessKeyPair {
  const ak = env[ACCESS_KEY_VAR] ?? '';
  const sk = env[SECRET_KEY_VAR] ?? '';
  if (!ak.trim() || !sk.trim()) {
    throw new ConfigError(`set ${ACCESS_KEY_VAR} and ${SECRET_KEY_VAR} in the environment (the keys are never taken as options)`);
  }
  const problem = accessKeyProblem(ak, `access key (${ACCESS_KEY_VAR})`) ?? accessKeyProblem(sk, `secret key (${SECRET_KEY_VAR})`);
  if (problem) {
    throw new ConfigError(problem);
  }
  return { accessKeyId: ak.trim(), secretAccessKey: sk.trim() };
}

/** The endpoint's origin, or a ConfigError with the https rule. */
export function endpointFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  try {
    return parseEndpoint(option ?? env[ENDPOINT_VAR] ?? DEFAULT_ENDPOINT).origin;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** The signed client for these keys; QIANFAN_TIMEOUT_SECONDS sets the request timeout. */
export function clientFor(endpoint: string, keys: AccessKeyPair, userAgent: string, env: NodeJS.ProcessEnv): QianfanClient {
  const timeout = Number(env.QIANFAN_TIMEOUT_SECONDS);
  return new QianfanClient({
    endpoint,
    credentials: () => keys,
    transport: new NodeFetchTransport(),
    userAgent,
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
}
