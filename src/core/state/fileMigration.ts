/**
 * The values from before the files (globalState's), as the store meets them: moved into a key's
 * files once (storeRouting's migrateToFiles asks for each key), and a value that is not a list
 * where a list is wanted kept in a file of its own, once, before a list is written where it was.
 */
import { type Doc, type DocWriter, encoder, parseBase, stringify } from './fileFormat';

export type AdoptOutcome = 'written' | 'already' | 'aside' | 'failed';

/** Under the lock: the value from before the files written as the key's list file, read back whole. */
export async function adoptLegacy(w: DocWriter, doc: Doc, value: unknown): Promise<AdoptOutcome> {
  if (doc.gen > 0) {
    return 'already';
  }
  if (doc.keyOf && !Array.isArray(value)) {
    await keepLegacyAside(w, doc, value);
    return 'aside';
  }
  await w.writeBase(doc, value);
  const back = w.fs.read(`${doc.name}.json`);
  const parsed = back && parseBase(back, doc);
  if (parsed && stringify(parsed.value) === stringify(value)) {
    return 'written';
  }
  w.report(doc.key, 'the list written from the value kept before did not read back the same; the value kept before stays');
  return 'failed';
}

/** A value from before the files that is not a list (where one is wanted) goes to a file of its own, once. */
export async function keepLegacyAside(w: DocWriter, doc: Doc, value: unknown): Promise<void> {
  if (doc.legacyAside || value === undefined || value === null) {
    return;
  }
  doc.legacyAside = true;
  const aside = `${doc.name}.legacy-${Date.now()}.json`;
  await w.writeBytes(aside, encoder.encode(stringify(value)));
  w.report(doc.key, `the value kept before was not a list; it is kept in ${aside} and a new list is started`);
}
