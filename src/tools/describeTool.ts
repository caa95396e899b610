/** qianfan_describeModelVersion: what Show Details shows for a version or a model, as text. */
import { isModelSetId } from '../core/base/ids';
import { detailsPage, detailsText } from '../commands/details';
import { type Services } from '../commands/services';
import { type QianfanTool, TOOL_NAMES, missingKeys, textField } from './common';
import { resolveVersion } from './resolve';

/** Everything Show Details shows, from the same document. */
export function describeTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.describe,
    async run(input) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const reference = (textField(input, 'version') ?? '').trim();
      let id = reference;
      if (!isModelSetId(reference)) {
        const r = await resolveVersion(s, reference);
        if (!r.ok) {
          return r.problem;
        }
        id = r.target.modelId;
      }
      return detailsText(await detailsPage(s, id));
    },
  };
}
