import { invalidArgument } from '@berth/common';

/** Go's strconv.ParseBool, which Docker uses for query booleans (docker-py sends `True`/`False`). */
export function parseBoolean(value: string | null | undefined, defaultValue = false): boolean {
  if (value === null || value === undefined || value === '') return defaultValue;
  switch (value) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      throw invalidArgument(`invalid boolean value "${value}"`);
  }
}

export function parseInteger(value: string | null | undefined, name: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidArgument(`invalid value for ${name}: "${value}" is not an integer`);
  return Number(value);
}

/**
 * Docker's `filters` parameter: the CLI sends `{"k":{"v":true}}`, docker-py `{"k":["v"]}`.
 * Both become a map from key to the list of values.
 */
export type Filters = Map<string, string[]>;

export function parseFilters(value: string | null | undefined): Filters {
  const filters: Filters = new Map();
  if (value === null || value === undefined || value === '') return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidArgument(`invalid filter: ${value}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument(`invalid filter: ${value}`);
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(raw)) filters.set(key, raw.map(String));
    else if (raw !== null && typeof raw === 'object')
      filters.set(
        key,
        Object.entries(raw as Record<string, unknown>)
          .filter(([, enabled]) => enabled === true)
          .map(([item]) => item),
      );
    else throw invalidArgument(`invalid filter: ${value}`);
  }
  return filters;
}
