/**
 * One download of the download benchmark, in a fresh Node process:
 * `node downloadSide.js <ours|ours-worker|node-http|node-fetch> <url> <target> <md5> <size>`.
 * `ours` is the extension's own path (the Downloader with the NodeHttpDownload adapter and the
 * NodeDownloadFs, as src/extension.ts builds it); the `node-*` ways are bare streams to a file
 * with no hashing. Prints one JSON line: { ms, maxRssKb, md5 }.
 */
import { createWriteStream } from 'fs';
import * as http from 'http';
import { pipeline } from 'stream/promises';
import fetch from 'node-fetch';
import { Downloader } from '../../src/core/download/engine';
import { inlineHasher, workerHasher } from '../../src/core/download/hasher';
import { PartialDownloadsStore } from '../../src/core/download/partialStore';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { abortableSleep } from '../../src/core/qianfan/retry';
import { NodeDownloadFs } from '../../src/node/nodeDownloadFs';
import { NodeHttpDownload } from '../../src/node/nodeHttpDownload';

async function bareFetch(url: string, target: string): Promise<string> {
  const response = await fetch(url, { compress: false });
  await pipeline(response.body!, createWriteStream(target));
  return '';
}

async function bareHttp(url: string, target: string): Promise<string> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).on('error', reject));
  await pipeline(response, createWriteStream(target));
  return '';
}

async function ours(mode: string, url: string, target: string, md5: string, size: number): Promise<string> {
  const downloader = new Downloader({
    http: new NodeHttpDownload(),
    fs: new NodeDownloadFs(),
    clock: { now: Date.now, sleep: abortableSleep },
    store: new PartialDownloadsStore(new MemoryKeyValueStore()),
    hasher: mode === 'ours-worker' ? workerHasher : inlineHasher,
  });
  const file = { modelId: 'amv-bench', fileSize: size, md5, downloadUrl: url };
  const result = await downloader.download({
    file,
    target,
    overwrite: true,
    signal: new AbortController().signal,
    refresh: () => Promise.reject(new Error('the URL does not expire in the benchmark')),
  });
  downloader.dispose();
  return result.md5;
}

async function main(): Promise<void> {
  const [mode, url, target, md5, size] = process.argv.slice(2);
  const started = performance.now();
  const got =
    mode === 'node-http'
      ? await bareHttp(url, target)
      : mode === 'node-fetch'
        ? await bareFetch(url, target)
        : await ours(mode, url, target, md5, Number(size));
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, md5: got }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
