/** Reading the host suite's report (test/host/suite/index.ts writes it). */

/**
 * The failures of a report: each "✘" line with the stack lines under it. Printed again once every
 * server has run, so that a log read from its end (CI shows the last lines) names what failed on
 * the first server too.
 */
export function failuresOf(report: string): string[] {
  const blocks: string[][] = [];
  let inBlock = false;
  for (const line of report.split('\n')) {
    if (line.startsWith('    ✘ ')) {
      blocks.push([line]);
      inBlock = true;
    } else if (inBlock && line.startsWith('      ')) {
      blocks[blocks.length - 1].push(line);
    } else {
      inBlock = false;
    }
  }
  return blocks.map((b) => b.join('\n'));
}
