/** One challenge from a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header value (RFC 7235): a scheme then comma-separated `key=value`
 * params whose values may be quoted (with backslash escapes) and contain commas.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < header.length && /[\s,]/.test(header[i] ?? '')) i++;
  };
  while (i < header.length) {
    skipSpace();
    const schemeMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(header.slice(i));
    if (!schemeMatch) break;
    const challenge: AuthChallenge = { scheme: schemeMatch[0].toLowerCase(), params: {} };
    challenges.push(challenge);
    i += schemeMatch[0].length;
    for (;;) {
      skipSpace();
      const keyMatch = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(header.slice(i));
      if (!keyMatch || keyMatch[1] === undefined) break;
      i += keyMatch[0].length;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const token = /^[^\s,]*/.exec(header.slice(i))?.[0] ?? '';
        value = token;
        i += token.length;
      }
      challenge.params[keyMatch[1].toLowerCase()] = value;
    }
  }
  return challenges;
}
