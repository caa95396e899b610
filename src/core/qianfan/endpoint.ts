/** Endpoint rules: HTTPS, or plain HTTP only to a loopback address (the local emulator). */

export const DEFAULT_ENDPOINT = 'https://qianfan.baidubce.com';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The endpoint's origin (`scheme://host[:port]`), or an Error that says what is wrong. */
export function parseEndpoint(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`The endpoint "${value}" is not a URL, e.g. ${DEFAULT_ENDPOINT}.`);
  }
  if (url.username || url.password) {
    throw new Error('The endpoint must not contain a user name or password.');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error('The endpoint must use https (plain http is allowed only for 127.0.0.1 / localhost).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The endpoint must be an https URL, not ${url.protocol}.`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`The endpoint is only scheme and host, e.g. ${DEFAULT_ENDPOINT}.`);
  }
  return new URL(url.origin);
}
