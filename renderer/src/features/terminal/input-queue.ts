/** Largest piece sent at once (the contract's `terminals.input` bound). */
export const MAX_INPUT_CHUNK = 65_536;

/**
 * Sends terminal input in order. Keystrokes arrive faster than round trips, and parallel requests
 * could overtake each other, so one request is in flight at a time and what is typed meanwhile
 * goes out together in the next one.
 */
export function createInputQueue(send: (data: string) => Promise<void>, onError: (error: unknown) => void) {
  let pending = '';
  let inFlight = false;
  const pump = async (): Promise<void> => {
    if (inFlight || pending === '') return;
    inFlight = true;
    let cut = Math.min(pending.length, MAX_INPUT_CHUNK);
    // Never split a surrogate pair across two requests.
    const last = pending.charCodeAt(cut - 1);
    if (cut < pending.length && last >= 0xd800 && last <= 0xdbff) cut -= 1;
    const data = pending.slice(0, cut);
    pending = pending.slice(cut);
    try {
      await send(data);
    } catch (error) {
      pending = '';
      onError(error);
    } finally {
      inFlight = false;
    }
    await pump();
  };
  return {
    push(data: string): void {
      pending += data;
      void pump();
    },
    /** Resolves once everything pushed so far has been sent (tests). */
    get idle(): boolean {
      return !inFlight && pending === '';
    },
  };
}
