// The bench's command line: the second baselines' gaps as a list.
import { describe, expect, it } from 'vitest';
import { parseOptions, takeWholeNumbers } from '../../../bench/options';
import { COMMIT_INTERVAL_MS } from '../../../relay/store/sqlite';

describe('bench options', () => {
  it("runs the second baseline at the store's commit interval and with no gap unless told", () => {
    expect(parseOptions([]).durableGapsMs).toEqual([COMMIT_INTERVAL_MS, 0]);
  });

  it('takes a list of gaps in either spelling, without repeats, and leaves the other flags', () => {
    expect(parseOptions(['--durable-gap-ms', '5,0,5', '--quick']).durableGapsMs).toEqual([5, 0]);
    expect(parseOptions(['--durable-gap-ms=2']).durableGapsMs).toEqual([2]);
    expect(takeWholeNumbers(['--quick', '--gaps', '0,10', '--no-renderer'], '--gaps', 100, [1])).toEqual({ value: [0, 10], rest: ['--quick', '--no-renderer'] });
  });

  it('refuses a gap that is not a whole number from 0 to 100', () => {
    for (const bad of ['', '1,,2', '-1', '101', '2.5', 'x']) {
      expect(() => parseOptions(['--durable-gap-ms', bad])).toThrow(/--durable-gap-ms wants whole numbers/);
    }
  });
});
