import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileQueueStorage } from '../../../client/file-queue-storage';
import type { OutgoingMessage } from '../../../client/types';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'queue-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const item = (n: number): OutgoingMessage => ({
  chatId: 'chat-1',
  clientMsgId: `id${n}`,
  body: `body ${n}`,
  createdAt: new Date(n * 1000).toISOString(),
});

describe('FileQueueStorage', () => {
  it('loads an empty queue when no file exists yet, creating parent folders on save', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'outbox.json');
    const s = new FileQueueStorage(path);
    expect(await s.load()).toEqual([]);
    await s.save([item(1)]);
    expect(await new FileQueueStorage(path).load()).toEqual([item(1)]);
  });

  it('keeps the last of many overlapping saves and leaves no temporary files behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'outbox.json');
    const s = new FileQueueStorage(path);
    const saves = Array.from({ length: 20 }, (_, i) => s.save(Array.from({ length: i + 1 }, (_, k) => item(k))));
    await Promise.all(saves);
    const loaded = await new FileQueueStorage(path).load();
    expect(loaded).toHaveLength(20);
    expect(loaded[19]).toEqual(item(19));
    expect(readdirSync(dir)).toEqual(['outbox.json']);
  });

  it('ignores malformed entries and an unreadable file instead of failing to start', async () => {
    const dir = tempDir();
    const path = join(dir, 'outbox.json');
    writeFileSync(path, JSON.stringify([item(1), { chatId: 5 }, null, 'x', item(2)]));
    expect(await new FileQueueStorage(path).load()).toEqual([item(1), item(2)]);
    writeFileSync(path, '{"truncated": [');
    expect(await new FileQueueStorage(path).load()).toEqual([]);
  });
});
