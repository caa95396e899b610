/**
 * Rules for a download URL, which points at another host than the Qianfan endpoint: https only
 * (plain http only on loopback, for the emulator), and only host and path ever written to a log
 * (the query holds the URL's signature).
 */
import { isLoopbackHost } from '../qianfan/endpoint';
import { DownloadError } from './errors';

export function checkDownloadUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DownloadError('badUrl', 'the download URL is not a URL');
  }
  if (url.username || url.password) {
    throw new DownloadError('badUrl', 'the download URL must not carry a user name or password');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return url;
  }
  throw new DownloadError('badUrl', `the download URL must use https, not ${url.protocol} (${url.host})`);
}

/** Host and path only: what may be logged or shown of a download URL. */
export function urlForLog(value: string): string {
  try {
    const url = new URL(value);
    return `${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
