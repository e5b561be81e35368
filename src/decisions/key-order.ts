/**
 * Objects' keys in a fixed order, sorted once per shape. Explanations and snapshots are written
 * by the hundred thousand with a few dozen shapes, and sorting every object's keys again was
 * a tenth of a full nightly's worker CPU (issue 15, docs/performance.md).
 */
export function keyOrder(compare: (a: string, b: string) => number): (o: object) => readonly string[] {
  const cache = new Map<string, readonly string[]>();
  return (o) => {
    const keys = Object.keys(o);
    // Objects keyed by data (a map of person ids) would each be a shape: sorted without caching.
    if (keys.length > 64) return keys.sort(compare);
    const shape = keys.join('\u0000');
    let sorted = cache.get(shape);
    if (!sorted) {
      sorted = keys.sort(compare);
      if (cache.size < 10_000) cache.set(shape, sorted);
    }
    return sorted;
  };
}

/** JavaScript's default sort order (UTF-16 code units). */
export const codeUnitOrder = keyOrder((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** PostgreSQL's jsonb order: shorter keys first (in bytes), then by bytes. */
export const jsonbOrder = keyOrder((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
