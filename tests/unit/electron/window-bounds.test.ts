import { describe, expect, it } from 'vitest';
import { restorableBounds } from '../../../electron/window-bounds';

const laptop = { x: 0, y: 0, width: 1440, height: 870 };
const external = { x: 1440, y: 0, width: 2560, height: 1410 };

describe('restorableBounds', () => {
  it('keeps saved bounds that are on a screen', () => {
    expect(restorableBounds({ x: 100, y: 80, width: 1000, height: 700 }, [laptop])).toEqual({ x: 100, y: 80, width: 1000, height: 700 });
    expect(restorableBounds({ x: 2000, y: 100, width: 1200, height: 900 }, [laptop, external])).toEqual({ x: 2000, y: 100, width: 1200, height: 900 });
  });

  it('drops the position of a window whose screen is gone, keeping a size that fits', () => {
    // Saved on the external monitor, which is unplugged now.
    expect(restorableBounds({ x: 2000, y: 100, width: 2000, height: 1200 }, [laptop])).toEqual({ width: 1440, height: 870 });
  });

  it('needs a grabbable part on screen, and never leaves the title bar above or below it', () => {
    expect(restorableBounds({ x: -990, y: 100, width: 1000, height: 700 }, [laptop])).toEqual({ width: 1000, height: 700 });
    expect(restorableBounds({ x: 100, y: -50, width: 800, height: 600 }, [laptop])).toEqual({ x: 100, y: 0, width: 800, height: 600 });
    expect(restorableBounds({ x: 100, y: 800, width: 800, height: 600 }, [laptop])).toEqual({ x: 100, y: 800, width: 800, height: 600 });
    expect(restorableBounds({ x: 100, y: 850, width: 800, height: 600 }, [laptop])).toEqual({ width: 800, height: 600 });
  });

  it('shrinks a window larger than its screen to fit', () => {
    expect(restorableBounds({ x: 0, y: 0, width: 3000, height: 2000 }, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 870 });
  });

  it('has nothing to say without saved bounds', () => {
    expect(restorableBounds(undefined, [laptop])).toBeNull();
  });
});
