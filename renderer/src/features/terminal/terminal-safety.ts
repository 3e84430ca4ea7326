/**
 * Guards between what a container writes to its terminal and the app. A process inside the
 * container controls every byte of its output, so nothing it sends may reach the clipboard, the
 * window title unfiltered, or open anything but a plain web page.
 */

// C0/C1 controls, DEL, and Unicode bidi/format characters that can disguise text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TITLE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A window title (OSC 0/2) as shown in the toolbar: printable, single line, bounded. */
export function sanitizeTitle(title: string, maxLength = 120): string {
  const clean = title
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(UNSAFE_TITLE_CHARS, '')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/** Only plain http(s) links without credentials may be opened from terminal output. */
export function safeLinkUrl(uri: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url;
}

/** OSC numbers the terminal swallows: 52 writes (and reads) the system clipboard. */
export const BLOCKED_OSC = [52] as const;
