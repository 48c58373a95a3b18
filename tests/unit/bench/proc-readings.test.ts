// The bench reads a server's memory and CPU time from /proc: check both readings on a
// real process (this one), on Linux where the bench runs.
import { describe, expect, it } from 'vitest';
import { readCpuMs, readRssKib } from '../../../bench/server-process';

const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('bench /proc readings', () => {
  it('reads the resident set size in KiB', () => {
    const kib = readRssKib(process.pid);
    // the same figure Node reports, within what can change between the two reads
    expect(kib * 1024).toBeGreaterThan(process.memoryUsage().rss / 2);
    expect(kib * 1024).toBeLessThan(process.memoryUsage().rss * 2);
  });

  it('reads CPU time that grows as the process works and agrees with process.cpuUsage', () => {
    const before = readCpuMs(process.pid);
    const usageBefore = process.cpuUsage();
    const spentMs = () => {
      const u = process.cpuUsage(usageBefore);
      return (u.user + u.system) / 1000;
    };
    // busy work until Node itself counts 300 ms of CPU (bounded: it always ends)
    let x = 0;
    while (spentMs() < 300) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const grew = readCpuMs(process.pid) - before;
    // /proc counts in 10 ms ticks and covers every thread, so allow a little either way
    expect(grew).toBeGreaterThanOrEqual(250);
    expect(grew).toBeLessThan(3000);
  });
});
