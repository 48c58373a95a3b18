// The tray icon's unread mark. Windows and Linux trays have no badge of their own, so
// the icon itself gets a red dot while anything is unread (the count is in the tooltip).
// Works on Electron's nativeImage bitmaps: 4 bytes a pixel, BGRA.

export const TRAY_ICON_SIZE: Partial<Record<NodeJS.Platform, number>> = { darwin: 18, win32: 16 };
export const DEFAULT_TRAY_ICON_SIZE = 24;

const RED = { b: 0x2b, g: 0x39, r: 0xe5 };

/**
 * A copy of the bitmap with a red dot in the top-right corner: a little under half its
 * size by default; `share` 0.5 fills the whole bitmap (Windows' taskbar overlay).
 */
export function withUnreadDot(bitmap: Buffer, width: number, height: number, share = 0.22): Buffer {
  if (bitmap.length !== width * height * 4) throw new RangeError('bitmap size does not match width × height × 4');
  const out = Buffer.from(bitmap);
  const r = Math.max(2, Math.min(width, height) * share);
  const cx = width - r - 0.5;
  const cy = r + 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // One pixel of anti-aliasing at the rim.
      const cover = Math.max(0, Math.min(1, r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy) + 0.5));
      if (cover === 0) continue;
      const i = (y * width + x) * 4;
      const a = (out[i + 3] ?? 0) / 255;
      out[i] = Math.round(RED.b * cover + (out[i] ?? 0) * (1 - cover));
      out[i + 1] = Math.round(RED.g * cover + (out[i + 1] ?? 0) * (1 - cover));
      out[i + 2] = Math.round(RED.r * cover + (out[i + 2] ?? 0) * (1 - cover));
      out[i + 3] = Math.round(255 * Math.max(a, cover));
    }
  }
  return out;
}
