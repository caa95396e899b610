/** qianfan_listModelVersions: the tracked versions, filtered as the view filters; asks nothing of Qianfan. */
import * as vscode from 'vscode';
import { MAX_ANSWER_ITEMS, bounded, dataText, quotedData } from '../core/base/chatText';
import { matchable, matches, parseFilter } from '../core/state/viewFilter';
import { type TrackedVersion } from '../core/state/trackedVersions';
import { type Services } from '../commands/services';
import { statusText } from '../tree/nodes';
import { type QianfanTool, TOOL_NAMES, profileName, textField } from './common';
import { titleOf } from './resolve';

function versionLine(s: Services, t: TrackedVersion): string {
  const live = s.details.get(t.modelId);
  const status = live?.kind === 'missing' ? vscode.l10n.t('gone (Qianfan no longer knows it)') : statusText(matchable(t, live).status ?? 'unknown');
  const at = live?.kind === 'loaded' || live?.kind === 'missing' ? live.at : t.statusAt;
  const parts = [vscode.l10n.t('status {0}', status)];
  if (at !== undefined) {
    parts.push(vscode.l10n.t('last seen {0}', new Date(at).toISOString()));
  }
  const exported = s.exportStates.get(t.modelId);
  if (exported?.status === 'Doing') {
    parts.push(vscode.l10n.t('being exported'));
  } else if (exported?.status === 'Done') {
    parts.push(vscode.l10n.t('export ready: {0}', quotedData(exported.task.fileName ?? '?')));
  }
  return `- ${dataText(titleOf(s, t))}: ${parts.join(', ')}`;
}

/** The tracked versions (the tree's own list and what this window learnt), filtered as the view filters. */
export function listTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.list,
    run(input) {
      const filter = parseFilter(textField(input, 'filter') ?? '');
      const all = s.tracked.view();
      if (all.length === 0) {
        return Promise.resolve(
          vscode.l10n.t(
            'No model versions are tracked in the profile “{0}”. The user can add them with “Qianfan: Import Model Versions from Account…” or “Qianfan: Track Model Version…”.',
            profileName(s),
          ),
        );
      }
      const shown = all.filter((t) => matches(filter, matchable(t, s.details.get(t.modelId))));
      const head = filter
        ? vscode.l10n.t('{0} of the {1} tracked model versions match “{2}” (profile “{3}”):', shown.length, all.length, dataText(filter.text), profileName(s))
        : vscode.l10n.t('{0} tracked model versions (profile “{1}”):', all.length, profileName(s));
      const { shown: listed, more } = bounded(shown, MAX_ANSWER_ITEMS);
      const lines = listed.map((t) => versionLine(s, t));
      if (more > 0) {
        lines.push(vscode.l10n.t('…and {0} more: narrow the list with a filter.', more));
      }
      return Promise.resolve([head, ...lines].join('\n'));
    },
  };
}
