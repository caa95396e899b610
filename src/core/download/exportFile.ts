/** The finished export's file as the download engine needs it, from DescribeModelExportTask. */
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
