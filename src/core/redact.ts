/**
 * Removes secrets before anything is logged or shown: known secret values, `bce-auth-v1`
 * Authorization values (their signature part), and fields whose names say they are secret.
 */

const AUTH_STRING = /bce-auth-v1\/([^/\s"']*)\/([^/\s"']*)\/(\d*)\/([^/\s"']*)\/[0-9a-fA-F]+/g;
const SECRET_FIELD = /^(authorization|secret.*|.*secretkey|.*secret_key|sk|password|signature|signingkey|x-bce-security-token)$/i;
const SECRET_ASSIGNMENT = /\b(secret[_-]?(?:access[_-]?)?key|secretAccessKey|sk|signature|signingKey)(["']?\s*[:=]\s*["']?)([^\s"',;&}]+)/gi;
export const REDACTED = '[REDACTED]';

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
      if (out.includes(secret)) {
        out = out.split(secret).join(REDACTED);
      }
    }
    out = out.replace(AUTH_STRING, (_m, ak, ts, exp, signed) => `bce-auth-v1/${ak}/${ts}/${exp}/${signed}/${REDACTED}`);
    return out.replace(SECRET_ASSIGNMENT, (_m, name, sep) => `${name}${sep}${REDACTED}`);
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
