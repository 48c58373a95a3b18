// Where the main window reopens. Saved bounds are used only while they still land on
// a screen: a monitor unplugged since (or a resolution change) must never leave the
// window somewhere the user cannot reach it.
import type { WindowBounds } from './app-state';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How much of the window must be on one screen's work area to count as reachable. */
const MIN_VISIBLE = 64;

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/**
 * The bounds to open with: the saved ones when they are reachable on one of the
 * screens (shrunk to fit it), else only the saved size, fitted to the first screen,
 * and no position (the window manager centres it). Null without saved bounds.
 */
export function restorableBounds(saved: WindowBounds | undefined, workAreas: readonly Rect[]): Partial<Rect> | null {
  if (!saved) return null;
  for (const area of workAreas) {
    const o = overlap(saved, area);
    if (o.width >= Math.min(MIN_VISIBLE, saved.width) && o.height >= Math.min(MIN_VISIBLE, saved.height)) {
      const width = Math.min(saved.width, area.width);
      const height = Math.min(saved.height, area.height);
      // Title bar on screen: the window can always be grabbed and moved.
      const y = Math.min(Math.max(saved.y, area.y), area.y + area.height - MIN_VISIBLE);
      return { x: saved.x, y, width, height };
    }
  }
  const first = workAreas[0];
  if (!first) return { width: saved.width, height: saved.height };
  return { width: Math.min(saved.width, first.width), height: Math.min(saved.height, first.height) };
}
