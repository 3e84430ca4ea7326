/**
 * xterm.js writes its cell metrics and theme into `<style>` elements it creates. The app's CSP
 * (`style-src 'self'`) rightly refuses inline style elements, so their text is mirrored into
 * constructed stylesheets (`adoptedStyleSheets`), which the CSP does not cover, and kept in sync.
 * The text is xterm's own (colours and sizes), never terminal output.
 */
export function mirrorInlineStyles(root: HTMLElement): () => void {
  if (typeof CSSStyleSheet === 'undefined' || !('adoptedStyleSheets' in document)) return () => undefined;
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = (): void => {
    for (const element of root.querySelectorAll('style')) {
      let sheet = sheets.get(element);
      if (sheet === undefined) {
        sheet = new CSSStyleSheet();
        sheets.set(element, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      sheet.replaceSync(element.textContent ?? '');
    }
  };
  sync();
  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  return () => {
    observer.disconnect();
    const owned = new Set(sheets.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => !owned.has(sheet));
  };
}
