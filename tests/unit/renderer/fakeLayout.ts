// happy-dom has no layout engine: every box is 0x0. For the file that calls this, give
// the message scroller a 600 px viewport and each row 40 px, as a browser would, so the
// virtualizer has something to measure.
import { afterAll, beforeAll } from 'vitest';

export function useFakeLayout(): void {
  const layout: Record<string, (el: HTMLElement) => number> = {
    clientHeight: (el) => (el.dataset.testid === 'message-scroller' ? 600 : 0),
    clientWidth: () => 640,
    offsetHeight: (el) => (el.dataset.index !== undefined ? 40 : 0),
    offsetWidth: () => 640,
  };
  const saved = Object.keys(layout).map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)] as const);
  beforeAll(() => {
    for (const [k, get] of Object.entries(layout)) {
      Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get(this: HTMLElement) { return get(this); } });
    }
  });
  afterAll(() => {
    for (const [k, d] of saved) if (d) Object.defineProperty(HTMLElement.prototype, k, d);
  });
}
