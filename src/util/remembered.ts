/**
 * `compute` with its results remembered for up to `max` keys, for values that repeat across a cluster's
 * objects (image references, quantities, timestamps, label values). Emptied when full, after which the keys
 * in use come back one by one: cheaper than keeping an order for eviction, and as good when few are in use.
 */
export function remembered<K, V>(compute: (key: K) => V, max: number): (key: K) => V {
  const results = new Map<K, V>();
  return (key) => {
    let result = results.get(key);
    if (result === undefined) {
      result = compute(key);
      if (results.size >= max) results.clear();
      results.set(key, result);
    }
    return result;
  };
}
