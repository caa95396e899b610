/**
 * A file that cannot be read is never written over: under the lock it is moved aside (with the
 * log that followed it), the problem is reported once, and the list is written anew from what
 * this window read last. That is the newest list it knew: globalState's copy from the move to the
 * files is older than the files were, so it is never read in its place (fileStore's readBase);
 * when this window had read nothing, an empty list is written, so that copy is not moved again.
 */
import { type Doc, type DocWriter } from './fileFormat';

/** Under the lock: the file that could not be read goes aside and what was read is written anew. */
export async function repair(w: DocWriter, doc: Doc): Promise<void> {
  const which = doc.corrupt;
  doc.corrupt = undefined;
  const file = which === 'base' ? `${doc.name}.json` : `${doc.name}.log`;
  const aside = await w.fs.moveAside(file);
  if (w.fs.stat(`${doc.name}.log`)) {
    await w.fs.moveAside(`${doc.name}.log`); // (a log left after its list file) its lines were changes to the list kept aside
  }
  w.report(doc.key, `${file} could not be read; it is kept as ${aside} and the list goes on from what could be read`);
  if (doc.value === undefined && doc.keyOf) {
    // nothing read (a window that had not read the list): an empty list is written, so that
    // the copy from before the files (older than what is aside) is neither read nor moved again
    await w.writeBase(doc, []);
    return;
  }
  if (doc.value === undefined) {
    // (only a list file can be unreadable with nothing read: a log is read on a list file)
    doc.gen = 0;
    doc.baseMark = undefined;
    doc.logMark = undefined;
    doc.logValid = 0;
    return;
  }
  await w.writeBase(doc, doc.value);
}
