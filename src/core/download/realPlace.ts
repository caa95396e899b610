/**
 * Where a file really goes: a path is judged by what it leads to on disk, not by its text. A
 * folder in the workspace that is a link to elsewhere leads out of the workspace, whatever the
 * path says. Used to keep a download asked by a chat tool (or another agent) inside the folders
 * the user opened.
 */
import { lstat, readlink, realpath } from 'fs/promises';
import * as path from 'path';

/** Links followed at most (as the system's own limit, ELOOP). */
const MAX_LINKS = 40;

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/**
 * The real path of `target`: fs.realpath of its nearest existing ancestor with the rest joined on.
 * A link that leads nowhere (yet) is followed by its text, since writing through it would create
 * its target. Throws on a loop of links, or an error other than "does not exist".
 */
export async function realPathOf(target: string): Promise<string> {
  let existing = path.resolve(target);
  let rest: string[] = [];
  for (let links = 0; ;) {
    try {
      const real = await realpath(existing);
      return path.join(real, ...rest);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT' && codeOf(error) !== 'ENOTDIR') {
        throw error;
      }
    }
    const stat = await lstat(existing).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      // a dangling link: where it points, with the rest on it
      if (++links > MAX_LINKS) {
        throw Object.assign(new Error(`Too many links: ${target}`), { code: 'ELOOP' });
      }
      existing = path.resolve(path.dirname(existing), await readlink(existing));
      continue;
    }
    const parent = path.dirname(existing);
    if (parent === existing) {
      return path.join(existing, ...rest);
    }
    rest = [path.basename(existing), ...rest];
    existing = parent;
  }
}

/** Whether `inner` is `outer` or inside it (both absolute). */
export function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..' + path.sep) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * The real path of `target` when it lies inside one of `folders` (each taken by its own real
 * path), else undefined.
 */
export async function realPathWithin(target: string, folders: readonly string[]): Promise<string | undefined> {
  const real = await realPathOf(target);
  for (const folder of folders) {
    if (isWithin(await realPathOf(folder), real)) {
      return real;
    }
  }
  return undefined;
}
