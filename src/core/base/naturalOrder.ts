/** The order people expect for names with numbers: model-2 before model-10, V2 before V10. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** By label (numbers by value, case ignored), ties by ID so the order is stable. */
export function naturalOrder(a: { readonly label: string; readonly id: string }, b: { readonly label: string; readonly id: string }): number {
  return collator.compare(a.label, b.label) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
