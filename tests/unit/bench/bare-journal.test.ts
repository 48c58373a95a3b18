// The bench's second baseline writes each message to a preallocated ring file before it
// answers: check on a real file that it is preallocated, answers in order and only once
// the record is in the file, and wraps without growing the file.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BareJournal } from '../../../bench/bare-journal';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(size: number, gapMs = 0): { journal: BareJournal; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bare-journal-'));
  dirs.push(dir);
  const file = join(dir, 'journal');
  return { journal: new BareJournal(file, { size, gapMs }), file };
}

/** Appends `records` in one turn of the event loop; resolves with what each answer saw. */
function appendAll(journal: BareJournal, file: string, records: string[]): Promise<{ record: string; inFile: boolean }[]> {
  const seen: { record: string; inFile: boolean }[] = [];
  return new Promise((resolve) => {
    for (const record of records) {
      journal.append(record, () => {
        seen.push({ record, inFile: readFileSync(file, 'latin1').includes(record + '\n') });
        if (seen.length === records.length) resolve(seen);
      });
    }
  });
}

describe('bench BareJournal', () => {
  it('preallocates the whole file with zeros', () => {
    const { journal, file } = open(16 * 1024);
    expect(statSync(file).size).toBe(16 * 1024);
    expect(readFileSync(file).every((b) => b === 0)).toBe(true);
    journal.close();
  });

  it('answers in append order, each once its record is in the file, also for appends made while a flush runs', async () => {
    const { journal, file } = open(16 * 1024);
    const first = appendAll(journal, file, ['{"n":1}', '{"n":2}', '{"n":3}']);
    // next turn: the first batch is written and its flush is running
    await new Promise((r) => setImmediate(r));
    const second = appendAll(journal, file, ['{"n":4}', '{"n":5}']);
    const seen = [...(await first), ...(await second)];
    expect(seen).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}'].map((record) => ({ record, inFile: true })));
    expect(readFileSync(file, 'latin1').startsWith('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n')).toBe(true);
    journal.close();
  });

  it('with a gap, starts a flush no sooner than that after the previous one started', async () => {
    const { journal, file } = open(16 * 1024, 50);
    const t0 = performance.now();
    await appendAll(journal, file, ['{"n":1}']);
    // appended after the first flush ended: written once 50 ms have passed since it began
    expect(await appendAll(journal, file, ['{"n":2}'])).toEqual([{ record: '{"n":2}', inFile: true }]);
    // the first flush began after t0; libuv's timers count whole milliseconds, so allow one
    expect(performance.now() - t0).toBeGreaterThanOrEqual(49);
    journal.close();
  });

  it('starts over at the beginning when a batch would pass the end, without growing the file', async () => {
    const { journal, file } = open(8 * 1024);
    const record = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(1000) });
    // batches of one record of 1,017 bytes: eight fit in 8 KiB, the ninth starts over
    for (let i = 0; i < 10; i++) expect(await appendAll(journal, file, [record(i)])).toEqual([{ record: record(i), inFile: true }]);
    expect(statSync(file).size).toBe(8 * 1024);
    const text = readFileSync(file, 'latin1');
    expect(text.startsWith(record(8) + '\n' + record(9) + '\n' + record(2))).toBe(true);
    expect(text.indexOf(record(7))).toBe(7 * 1017);
    journal.close();
  });
});
