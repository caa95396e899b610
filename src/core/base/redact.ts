/**
 * Removes secrets before anything is logged or shown: known secret values in every form they
 * are written in (as is, in any case, split by line breaks, URL-encoded, base64 and base64url at
 * any alignment, and a head of one cut short), `bce-auth-v1` Authorization values (their
 * signature part; any case, plain or URL-encoded), bearer and basic credentials, security and
 * access tokens, credentials inside URLs, private key blocks, fields whose names say they are
 * secret, and headers given as `[name, value]` pairs.
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
  /\b(sk|signature|signingKey|x-bce-security-token|security[_-]?token|session[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|proxy-authorization|authorization)(["']?\s*[:=]\s*["']?)(?!bce-auth-v1|\[REDACTED\]|(?:Bearer|Basic|Digest|Negotiate)\s)([^\s"',;&}<>]+)/gi;
/** The words of the names below: a text without any is not searched for them (their leading run is costly on long lines). */
const NAMED_SECRET_WORDS = /secret|api[_-]?key|private[_ -]?key|credential|passw|passphrase/i;
/** `name: value` or `name=value` for any name with "secret" in it (accessKeySecret), API and private keys, credentials, passwords. */
const NAMED_SECRET_ASSIGNMENT =
  /\b([\w-]*secret[\w-]*|[\w-]*api[_-]?key|[\w-]*private[_-]?key|credentials?|[\w-]*password|passwd|passphrase)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\]|(?:Bearer|Basic|Digest|Negotiate)\s)([^\s"',;&}<>]+)/gi;
/** A PEM private key block, or its head when the text was cut before its end. */
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** user:password@ (or a token@) inside a URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
/** A 64-digit hex run: the length of a signature or a signing key. */
const HEX_64 = /\b[0-9a-f]{64}\b/gi;
/** Field (or header) names that hold a secret, once lower-cased without `-`, `_`, `.` and spaces. */
const SECRET_FIELD_EXACT = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'sk', 'passwd', 'passphrase', 'signature', 'signingkey']);
const SECRET_FIELD = /secret|apikey|privatekey|credential|(password|token)$/;

/** The shortest head of a known secret that counts as the secret when a text was cut right after it. */
const MIN_CUT_HEAD = 6;
/** What a cut leaves after the head: the ellipsis of cleanText. */
const AFTER_CUT = '(?=\\s*…)';
/** A header's or field's name, as the first of a `[name, value]` pair. */
const NAME_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
/** The characters of base64 and base64url, around the part that encodes only the secret. */
const BASE64_RUN = '[A-Za-z0-9+/_-]*';
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/** Whether a field or header of this name holds a secret (accessKeySecret, apiKey, private_key, X-Bce-Security-Token…). */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_.\s]/g, '');
  return SECRET_FIELD_EXACT.has(n) || SECRET_FIELD.test(n);
}

/** The first of a `[name, value]` pair (a header, a field) that names a secret. */
function isPairName(name: unknown): boolean {
  return typeof name === 'string' && NAME_SHAPE.test(name) && isSecretName(name);
}

function escapeChar(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** The form, its characters possibly split by white space (a line break, or the space a cleaned line break leaves). */
function spaced(chars: readonly string[]): string {
  return chars.map(escapeChar).join('\\s*');
}

/** A head of at least MIN_CUT_HEAD characters of the form, longest first, right before a cut. */
function cutHead(chars: readonly string[]): string {
  let tail = '';
  for (let i = chars.length - 2; i >= MIN_CUT_HEAD; i--) {
    tail = `(?:\\s*${escapeChar(chars[i])}${tail})?`;
  }
  return spaced(chars.slice(0, MIN_CUT_HEAD)) + tail + AFTER_CUT;
}

/** The base64 characters that encode only the secret's bytes when it starts `pad` bytes into the encoded text. */
function base64Core(value: string, pad: number): string {
  const bytes = Buffer.concat([Buffer.alloc(pad), Buffer.from(value, 'utf8')]);
  const text = bytes.toString('base64').replace(/=+$/, '');
  return text.slice(Math.ceil((pad * 8) / 6), Math.floor((bytes.length * 8) / 6));
}

/** A pattern of a known secret; `widen`: the match takes the base64 run it stands in, on both sides. */
interface SecretPattern {
  readonly pattern: RegExp;
  readonly widen: boolean;
}

/** Every pattern a known secret is found by, most specific first. */
function secretPatterns(secret: string): SecretPattern[] {
  const patterns: SecretPattern[] = [];
  const seen = new Set<string>();
  const add = (form: string, flags: string, widen = false): void => {
    if (form.length > 0 && !seen.has(`${flags} ${form}`)) {
      seen.add(`${flags} ${form}`);
      const chars = [...form];
      const after = widen ? BASE64_RUN + '=*' : '';
      patterns.push({ pattern: new RegExp(spaced(chars) + after, flags), widen });
      if (chars.length > MIN_CUT_HEAD) {
        patterns.push({ pattern: new RegExp(cutHead(chars), flags), widen });
      }
    }
  };
  // URL-encoded twice, then once (hex digits in either case), then base64 (case matters there), then as is in any case
  const once = encodeURIComponent(secret);
  add(encodeURIComponent(once), 'gi');
  add(once, 'gi');
  for (const variant of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) {
    for (const pad of [0, 1, 2]) {
      const core = base64Core(variant, pad);
      add(core, 'g', true);
      add(core.replace(/\+/g, '-').replace(/\//g, '_'), 'g', true);
    }
  }
  add(secret, 'gi');
  return patterns;
}

/** Replaces each match; a widened one also takes the base64 characters just before it (a scan back, not a costly regex). */
function replaceSecret(text: string, { pattern, widen }: SecretPattern): string {
  if (!widen) {
    return text.replace(pattern, REDACTED);
  }
  let out = '';
  let done = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    let start = m.index;
    while (start > done && BASE64_CHAR.test(text[start - 1])) {
      start--;
    }
    out += text.slice(done, start) + REDACTED;
    done = m.index + m[0].length;
  }
  return out + text.slice(done);
}

function maskSignature(match: string): string {
  // bce-auth-v1, /, ak, /, timestamp, /, expiration, /, signedHeaders, /, signature[, …]
  const pieces = match.split(SEPARATOR);
  return pieces.length < 11 ? match : [...pieces.slice(0, 10), REDACTED].join('');
}

export class Redactor {
  /** Each remembered secret and the patterns that find it in every form. */
  private readonly secrets = new Map<string, SecretPattern[]>();

  /** Remember a value that must never be printed (a secret key). Short values are ignored. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 6 && !this.secrets.has(value)) {
      this.secrets.set(value, secretPatterns(value));
    }
  }

  forgetSecrets(): void {
    this.secrets.clear();
  }

  redactString(text: string): string {
    let out = text;
    for (const patterns of this.secrets.values()) {
      for (const pattern of patterns) {
        out = replaceSecret(out, pattern);
      }
    }
    if (NAMED_SECRET_WORDS.test(out)) {
      out = out.replace(PRIVATE_KEY_BLOCK, REDACTED).replace(NAMED_SECRET_ASSIGNMENT, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
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
      // [name, value] pairs and flat raw header lists: a value after a secret name is masked
      return value.map((v, i) => (i % 2 === 1 && isPairName(value[i - 1]) && v !== undefined && v !== null && v !== '' ? REDACTED : this.redactValue(v, seen)));
    }
    if (value instanceof Error) {
      return this.redactString(`${value.name}: ${value.message}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = isSecretName(key) && v !== undefined && v !== null && v !== '' ? REDACTED : this.redactValue(v, seen);
    }
    return out;
  }
}

/** A redactor with no remembered secrets, for the pattern-based rules alone. */
export function redact<T>(value: T): T {
  return new Redactor().redact(value);
}
