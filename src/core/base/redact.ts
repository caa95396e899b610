/**
 * Removes secrets before anything is logged or shown: known secret values, `bce-auth-v1`
 * Authorization values (their signature part; any case, plain or URL-encoded), bearer and
 * basic credentials, security and access tokens, credentials inside URLs, and fields whose
 * names say they are secret.
 */

export const REDACTED = '[REDACTED]';

/** bce-auth-v1/{ak}/{timestamp}/{expiration}/{signedHeaders}/{signature}, `/` possibly written %2F. */
const AUTH_STRING = /bce-auth-v1((?:\/|%2F)[^\s"'&,;<>]*)/gi;
const SEPARATOR = /(\/|%2F)/i;
/** An authorization scheme and its credentials: Bearer (e.g. bce-v3/ALTAK-…/…), Basic, Digest, Negotiate. */
const SCHEME_CREDENTIALS = /\b(Bearer|Basic|Digest|Negotiate)(\s+)(?!\[REDACTED\])[^\s"',;]+/gi;
/** An application API key written out without its scheme. */
const BCE_V3_KEY = /\bbce-v3(?:\/|%2F)[^\s"'&,;<>]+/gi;
/** `name: value` or `name=value` for names that always hold a secret; Authorization only when not bce-auth-v1. */
const SECRET_ASSIGNMENT =
  /\b(secret[_-]?(?:access[_-]?)?key|secretAccessKey|sk|signature|signingKey|password|passwd|x-bce-security-token|security[_-]?token|session[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|proxy-authorization|authorization)(["']?\s*[:=]\s*["']?)(?!bce-auth-v1|\[REDACTED\]|(?:Bearer|Basic|Digest|Negotiate)\s)([^\s"',;&}<>]+)/gi;
/** user:password@ (or a token@) inside a URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
/** A 64-digit hex run: the length of a signature or a signing key. */
const HEX_64 = /\b[0-9a-f]{64}\b/gi;
const SECRET_FIELD =
  /^(authorization|proxy-authorization|cookie|set-cookie|secret.*|.*secretkey|.*secret_key|sk|password|passwd|signature|signingkey|.*token|x-bce-security-token)$/i;

function maskSignature(match: string): string {
  // bce-auth-v1, /, ak, /, timestamp, /, expiration, /, signedHeaders, /, signature[, …]
  const pieces = match.split(SEPARATOR);
  return pieces.length < 11 ? match : [...pieces.slice(0, 10), REDACTED].join('');
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a value that must never be printed (a secret key). Short values are ignored. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 6) {
      this.secrets.add(value);
    }
  }

  forgetSecrets(): void {
    this.secrets.clear();
  }

  redactString(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      for (const form of [secret, encodeURIComponent(secret)]) {
        if (out.includes(form)) {
          out = out.split(form).join(REDACTED);
        }
      }
    }
    return out
      .replace(AUTH_STRING, maskSignature)
      .replace(BCE_V3_KEY, `bce-v3/${REDACTED}`)
      .replace(SCHEME_CREDENTIALS, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
      .replace(SECRET_ASSIGNMENT, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
      .replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}${REDACTED}@`)
      .replace(HEX_64, REDACTED);
  }

  redact<T>(value: T): T {
    return this.redactValue(value, new WeakSet()) as T;
  }

  private redactValue(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') {
      return this.redactString(value);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (seen.has(value)) {
      return '[Circular]';
    }
    seen.add(value);
    if (Array.isArray(value)) {
      return value.map((v) => this.redactValue(v, seen));
    }
    if (value instanceof Error) {
      return this.redactString(`${value.name}: ${value.message}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) && v !== undefined && v !== null && v !== '' ? REDACTED : this.redactValue(v, seen);
    }
    return out;
  }
}

/** A redactor with no remembered secrets, for the pattern-based rules alone. */
export function redact<T>(value: T): T {
  return new Redactor().redact(value);
}
