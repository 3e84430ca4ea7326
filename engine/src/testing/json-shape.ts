/**
 * Every field path of a JSON value, sorted (array items by their first element; object IDs used as
 * keys, as network inspect's Containers, written `<id>`), for comparing the shape of Berth's answers
 * with dockerd's while the values differ.
 */
export function jsonFieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [`${prefix}[]`, ...(value.length > 0 ? jsonFieldPaths(value[0], `${prefix}[]`) : [])];
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value)
    .flatMap(([key, item]) => jsonFieldPaths(item, `${prefix}.${/^[0-9a-f]{64}$/.test(key) ? '<id>' : key}`))
    .sort();
}
