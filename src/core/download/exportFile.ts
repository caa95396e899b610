/** The finished export's file as the download engine needs it, from DescribeModelExportTask. */
import * as path from 'path';
import { type ExportTask } from '../qianfan/model';
import { type ExportFile } from './engine';
import { DownloadError } from './errors';

const MD5 = /^[0-9a-f]{32}$/i;

/** The file of a Done export, or a DownloadError 'notReady' saying what is missing. */
export function exportFileOf(modelId: string, task: ExportTask | undefined): ExportFile {
  if (!task?.hasRecord || task.status !== 'Done') {
    throw new DownloadError('notReady', `the export of ${modelId} is not finished (status ${task?.status ?? 'none'})`);
  }
  const { downloadUrl, md5, fileSize } = task;
  if (!downloadUrl || !md5 || !MD5.test(md5) || fileSize === undefined || !Number.isSafeInteger(fileSize) || fileSize < 0) {
    throw new DownloadError('notReady', `the finished export of ${modelId} has no download URL, md5 or size`);
  }
  return { modelId, exportId: task.exportId, fileName: task.fileName, fileSize, md5: md5.toLowerCase(), downloadUrl };
}

/** A plain file name for the export (no folders, no odd characters), else "<version ID>.tar.gz". */
export function safeFileName(file: ExportFile): string {
  const base = path.basename((file.fileName ?? '').replace(/\\/g, '/'));
  const name = [...base].map((c) => (c.charCodeAt(0) < 32 || '<>:"|?*'.includes(c) ? '_' : c)).join('');
  return name && name !== '.' && name !== '..' ? name : `${file.modelId}.tar.gz`;
}
