/**
 * Verifies a request's Authorization with Baidu's own signer (`@baiducloud/sdk`, src/auth.js),
 * an implementation nobody on this project wrote.
 */
import { createRequire } from 'module';

type BaiduAuthClass = new (
  ak: string,
  sk: string,
) => {
  generateAuthorization(
    method: string,
    resource: string,
    params: Record<string, string | null>,
    headers: Record<string, string>,
    timestampSeconds: number,
    expirationSeconds: number,
    headersToSign: string[],
  ): string;
};
const BaiduAuth = createRequire(__filename)('@baiducloud/sdk/src/auth') as BaiduAuthClass;

export { BaiduAuth };

export interface ParsedAuthorization {
  accessKeyId: string;
  timestamp: string;
  timestampSeconds: number;
  expirationSeconds: number;
  signedHeaders: string[];
  signature: string;
}

const AUTH = /^bce-auth-v1\/([^/]+)\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\/(\d+)\/([^/]*)\/([0-9a-f]{64})$/;

export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  const m = AUTH.exec(value ?? '');
  if (!m) {
    return undefined;
  }
  const seconds = Date.parse(m[2]) / 1000;
  if (!Number.isFinite(seconds)) {
    return undefined;
  }
  return {
    accessKeyId: m[1],
    timestamp: m[2],
    timestampSeconds: seconds,
    expirationSeconds: Number(m[3]),
    signedHeaders: m[4] ? m[4].split(';') : ['host', 'content-md5', 'content-length', 'content-type'],
    signature: m[5],
  };
}

/** The Authorization Baidu's signer computes for what was received. */
export function officialAuthorization(
  auth: ParsedAuthorization,
  secretKey: string,
  method: string,
  path: string,
  query: Record<string, string | null>,
  headers: Record<string, string | string[] | undefined>,
): string {
  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = headers[name];
    if (v !== undefined) {
      signed[name] = Array.isArray(v) ? v.join(',') : v;
    }
  }
  return new BaiduAuth(auth.accessKeyId, secretKey).generateAuthorization(
    method,
    path,
    query,
    signed,
    auth.timestampSeconds,
    auth.expirationSeconds,
    auth.signedHeaders,
  );
}
