import { useCallback, useEffect, useState, type RefObject } from 'react';

/**
 * Windowing for rows of one fixed height: which rows are on screen is arithmetic on the scroll
 * offset, so the cost per frame does not grow with the row count (a million log lines included).
 */
export function useFixedRows(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan = 12) {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  useEffect(() => {
    const element = scrollRef.current;
    if (element === null) return;
    const onScroll = (): void => setScrollTop(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(() => setViewport(element.clientHeight || 600));
    observer.observe(element);
    setViewport(element.clientHeight || 600);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [scrollRef]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const scrollToIndex = useCallback(
    (index: number, align: 'start' | 'center' | 'end' = 'center') => {
      const element = scrollRef.current;
      if (element === null) return;
      const top = index * rowHeight;
      const target =
        align === 'start' ? top : align === 'end' ? top + rowHeight - element.clientHeight : top - element.clientHeight / 2;
      element.scrollTop = Math.max(0, target);
    },
    [rowHeight, scrollRef],
  );
  return { first, last, totalHeight: count * rowHeight, scrollToIndex };
}
