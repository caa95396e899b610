/** qianfan_findDeployments: which services run the versions named. */
import * as vscode from 'vscode';
import { deploymentLines, servicesRunning } from '../commands/deleteVersion';
import { type Services } from '../commands/services';
import { type QianfanTool, TOOL_NAMES, chatCheck, chatLabel, chatTargets, listField, missingKeys, targetsOf } from './common';
import { dataText } from '../core/base/chatText';

export function deploymentsTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.deployments,
    async run(input, signal) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const { targets, problems } = await targetsOf(s, listField(input, 'versions'), signal);
      if (targets.length === 0) {
        return problems.join('\n');
      }
      const check = await servicesRunning(s, targets, signal);
      const lines = problems.map((p) => dataText(p, 1000));
      if (check.kind === 'checked') {
        lines.push(vscode.l10n.t('Checked {0} services.', check.services));
        for (const t of targets) {
          if (!check.running.has(t.modelId)) {
            lines.push(vscode.l10n.t('{0} runs in no service.', chatLabel(t)));
          }
        }
      }
      lines.push(...deploymentLines(chatCheck(check), chatTargets(targets)));
      return lines.join('\n');
    },
  };
}
