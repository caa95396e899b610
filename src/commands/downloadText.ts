/** The localized words of a download: progress, and why one failed. */
import * as vscode from 'vscode';
import { type DownloadError } from '../core/download/errors';
import { type DownloadProgress } from '../core/download/types';
import { formatBytes } from '../core/work/exportTasks';

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** "12.0 MB of 1.0 GB, 210.5 MB/s, 0:05 left" */
export function progressText(p: DownloadProgress): string {
  const rate = p.bytesPerSecond > 0 ? `${formatBytes(Math.round(p.bytesPerSecond))}/s` : '…';
  const left = p.secondsLeft === undefined ? '…' : duration(p.secondsLeft);
  return vscode.l10n.t('{0} of {1}, {2}, {3} left', formatBytes(p.received), formatBytes(p.total), rate, left);
}

function diskText(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return vscode.l10n.t('the disk is full');
    case 'EACCES':
    case 'EPERM':
      return vscode.l10n.t('permission denied');
    case 'EROFS':
      return vscode.l10n.t('the folder is read-only');
    case 'ENOENT':
      return vscode.l10n.t('the folder does not exist');
    case 'ELOOP':
      return vscode.l10n.t('it is a link, and a download never writes through one');
    default:
      return code ?? '?';
  }
}

/** Why a download failed, in the user's words; the full detail is in the log. */
export function downloadErrorText(e: DownloadError, md5: string, size: number): string {
  const resume = vscode.l10n.t('The partial download is kept: run Download again to resume.');
  switch (e.reason) {
    case 'md5Mismatch':
      return vscode.l10n.t("the downloaded bytes do not match the export's md5 {0}; the file was not saved and the partial download was deleted", md5);
    case 'sizeMismatch':
      return vscode.l10n.t("the file server sent more than the export's {0} bytes; nothing was saved", size);
    case 'disk': {
      const text = vscode.l10n.t('could not write {0}: {1}', e.detail.path ?? '?', diskText(e.detail.code));
      return e.detail.partKept ? `${text}. ${resume}` : text;
    }
    case 'badUrl':
      return vscode.l10n.t('the download URL was refused: {0}', e.message);
    case 'http':
      return vscode.l10n.t('the file server refused the download: {0}', e.message);
    case 'network':
      return `${vscode.l10n.t('the connection kept failing: {0}', e.message)}. ${resume}`;
    case 'targetExists':
      return vscode.l10n.t('{0} exists or is being downloaded already', e.detail.path ?? '?');
    case 'notReady':
      return vscode.l10n.t('the export has no finished file yet: export the version first');
  }
}
