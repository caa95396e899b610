/**
 * Baidu Cloud `bce-auth-v1` request signing, as specified in 生成认证字符串
 * (cloud.baidu.com/doc/Reference/s/njwvz1yfu). Pure Node: only `crypto`.
 */
import { type KeyObject, createHmac, createSecretKey } from 'crypto';

export interface AccessKeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignInput {
  readonly method: string;
  /** Raw (unencoded) path; it is encoded with UriEncodeExceptSlash. */
  readonly path: string;
  /** Query items; a null/undefined/empty value signs as `key=`. */
  readonly query?: Readonly<Record<string, string | null | undefined>>;
  /** Request headers, any case. */
  readonly headers: Readonly<Record<string, string | number | undefined>>;
  /** Names of the headers to sign; defaults to the BCE default set. */
  readonly headersToSign?: readonly string[];
  /** Signing time in seconds since the epoch. */
  readonly timestampSeconds: number;
  readonly expirationSeconds?: number;
}

export interface SignResult {
  readonly authorization: string;
  readonly canonicalRequest: string;
  readonly signedHeaders: string;
}

export const DEFAULT_EXPIRATION_SECONDS = 1800;
const DEFAULT_HEADERS_TO_SIGN = ['host', 'content-length', 'content-type', 'content-md5'];
const RESERVED_LEFT_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;

function escapeReserved(ch: string): string {
  return '%' + ch.charCodeAt(0).toString(16).toUpperCase();
}

/** RFC 3986 UriEncode over UTF-8: only `A-Z a-z 0-9 - . _ ~` stay as they are. */
export function uriEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be UTF-8; encode the bytes Node would send (U+FFFD).
    encoded = encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
  return encoded.replace(RESERVED_LEFT_BY_ENCODE_URI_COMPONENT, escapeReserved);
}

/** UriEncode with `/` kept; an empty path is `/`. */
export function uriEncodeExceptSlash(path: string): string {
  if (!path) {
    return '/';
  }
  const withSlash = path.startsWith('/') ? path : '/' + path;
  return withSlash.split('/').map(uriEncode).join('/');
}

export function canonicalQueryString(query: SignInput['query']): string {
  if (!query) {
    return '';
  }
  const items: string[] = [];
  for (const key of Object.keys(query)) {
    if (key.toLowerCase() === 'authorization') {
      continue;
    }
    const value = query[key];
    items.push(uriEncode(key) + '=' + (value === null || value === undefined ? '' : uriEncode(String(value))));
  }
  return items.sort().join('&');
}

export interface CanonicalHeaders {
  readonly text: string;
  readonly names: string[];
}

let lastNames: readonly string[] | undefined;
let lastNameSet = new Set<string>();

/** The lower-cased names, kept for the last list seen: callers pass one constant list per request. */
function lowerCaseSet(names: readonly string[]): Set<string> {
  if (names !== lastNames) {
    lastNameSet = new Set(names.map((h) => h.toLowerCase()));
    lastNames = names;
  }
  return lastNameSet;
}

export function canonicalHeaders(
  headers: SignInput['headers'],
  headersToSign: readonly string[] = DEFAULT_HEADERS_TO_SIGN,
  signAllBceHeaders = headersToSign === DEFAULT_HEADERS_TO_SIGN,
): CanonicalHeaders {
  const wanted = lowerCaseSet(headersToSign);
  const lines: string[] = [];
  for (const rawName of Object.keys(headers)) {
    const raw = headers[rawName];
    if (raw === undefined) {
      continue;
    }
    const value = String(raw).trim();
    const name = rawName.toLowerCase();
    if (value === '' || !(wanted.has(name) || (signAllBceHeaders && name.startsWith('x-bce-')))) {
      continue;
    }
    lines.push(uriEncode(name) + ':' + uriEncode(value));
  }
  lines.sort();
  return { text: lines.join('\n'), names: lines.map((l) => l.slice(0, l.indexOf(':'))) };
}

let lastFormatted: [number, string] = [NaN, ''];

/** `yyyy-mm-ddThh:mm:ssZ`, UTC, no fraction. */
export function formatBceTimestamp(seconds: number): string {
  const whole = Math.floor(seconds);
  if (lastFormatted[0] !== whole) {
    lastFormatted = [whole, new Date(whole * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')];
  }
  return lastFormatted[1];
}

export function hmacSha256Hex(key: string | Buffer | KeyObject, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/**
 * Signs requests for one key pair. The signing key depends only on the key pair, the
 * timestamp and the expiration, so the latest one is kept for reuse within the same second.
 */
export class BceSigner {
  /** Imported once: HMAC with a KeyObject or Buffer key is faster than with a string. */
  private readonly secretKey: KeyObject | string;
  private lastPrefix = '';
  private lastSigningKey: Buffer = Buffer.alloc(0);
  private lastPath = '';
  private lastCanonicalUri = '/';

  constructor(private readonly credentials: AccessKeyPair) {
    const sk = credentials.secretAccessKey;
    this.secretKey = sk === '' ? sk : createSecretKey(Buffer.from(sk, 'utf8'));
  }

  get accessKeyId(): string {
    return this.credentials.accessKeyId;
  }

  sign(input: SignInput): SignResult {
    const expiration = input.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const prefix = 'bce-auth-v1/' + this.credentials.accessKeyId + '/' + formatBceTimestamp(input.timestampSeconds) + '/' + expiration;
    if (prefix !== this.lastPrefix) {
      this.lastSigningKey = Buffer.from(hmacSha256Hex(this.secretKey, prefix), 'utf8');
      this.lastPrefix = prefix;
    }
    if (input.path !== this.lastPath) {
      this.lastCanonicalUri = uriEncodeExceptSlash(input.path);
      this.lastPath = input.path;
    }
    const headers = canonicalHeaders(input.headers, input.headersToSign ?? DEFAULT_HEADERS_TO_SIGN);
    const canonicalRequest = input.method.toUpperCase() + '\n' + this.lastCanonicalUri + '\n' + canonicalQueryString(input.query) + '\n' + headers.text;
    const signature = hmacSha256Hex(this.lastSigningKey, canonicalRequest);
    const signedHeaders = headers.names.join(';');
    return { authorization: prefix + '/' + signedHeaders + '/' + signature, canonicalRequest, signedHeaders };
  }
}

/** The signing key for a prefix: exposed for the documented test vectors only. */
export function signingKeyFor(secretAccessKey: string, prefix: string): string {
  return hmacSha256Hex(secretAccessKey, prefix);
}
