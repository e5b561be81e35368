/**
 * An object's keys in PostgreSQL's jsonb order (shorter keys first, in bytes, then by bytes),
 * sorted once per shape: explanations are read back by the hundred thousand with a few dozen
 * shapes (issue 15, docs/performance.md).
 */
const cache = new Map<string, readonly string[]>();
const compare = (a: string, b: string) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));

export function jsonbOrder(o: object): readonly string[] {
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
}
