/** Redis answers field/value lists flat (`[k1, v1, k2, v2]`, as in stream entries and XINFO): as a Map. */
export function pairsToMap<V>(flat: readonly V[]): Map<string, V> {
  const map = new Map<string, V>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1] as V);
  return map;
}
