import type { Container } from '../../core/containers/container.js';
import { humanStatus, presentContainerSummary } from './container-presenter.js';

/** The JSON text of a list item on either side of its Status value. */
interface SummaryText {
  /** `{"Id":...,"State":"exited","Status":` */
  beforeStatus: string;
  /** `,"HostConfig":...}` */
  afterStatus: string;
}

/** Keyed by the store's frozen records: a write replaces the record object, so an entry never outlives its record's contents. */
const summaryTexts = new WeakMap<Container, SummaryText>();

/**
 * `GET /containers/json` (without sizes) as JSON text, equal to serialising presentContainerSummary
 * of each container. Everything in an item but Status (a duration, the health) follows from the
 * record, so the text of a frozen record is made once; each request only adds the Status strings.
 */
export function containerListJson(containers: readonly Container[], now = Date.now()): string {
  const items = containers.map((container) => {
    const text = summaryText(container);
    return `${text.beforeStatus}${JSON.stringify(humanStatus(container, now))}${text.afterStatus}`;
  });
  return `[${items.join(',')}]`;
}

function summaryText(container: Container): SummaryText {
  const cached = summaryTexts.get(container);
  if (cached !== undefined) return cached;
  const entries = Object.entries(presentContainerSummary(container));
  const statusIndex = entries.findIndex(([key]) => key === 'Status');
  const before = entries.slice(0, statusIndex);
  const after = entries.slice(statusIndex + 1);
  const text: SummaryText = {
    beforeStatus: `${before.length > 0 ? `${JSON.stringify(Object.fromEntries(before)).slice(0, -1)},` : '{'}"Status":`,
    afterStatus: after.length > 0 ? `,${JSON.stringify(Object.fromEntries(after)).slice(1)}` : '}',
  };
  // A record that is not frozen may still change under the same identity: only the store's frozen ones are kept.
  if (Object.isFrozen(container)) summaryTexts.set(container, text);
  return text;
}
