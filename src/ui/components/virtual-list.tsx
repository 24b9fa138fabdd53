// A list that renders only the rows in view (plus a few), so that 1,000 pods or events cost
// as much as 30: rows have a fixed height; the spacer keeps the scrollbar true.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function VirtualList<T>({ items, rowHeight, height, render }: { items: T[]; rowHeight: number; height: number; render: (item: T, index: number) => ComponentChildren }) {
  const [scrollTop, setScrollTop] = useState(0);
  const overscan = 8;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return (
    <div class="virtual" style={{ height: `${height}px` }} onScroll={(e) => setScrollTop((e.target as HTMLElement).scrollTop)}>
      <div style={{ height: `${items.length * rowHeight}px`, position: 'relative' }}>
        <div style={{ position: 'absolute', top: `${first * rowHeight}px`, left: 0, right: 0 }}>
          {items.slice(first, last).map((item, i) => <div class="vrow" key={first + i} style={{ height: `${rowHeight}px` }}>{render(item, first + i)}</div>)}
        </div>
      </div>
    </div>
  );
}
