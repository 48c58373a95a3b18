// Child process of sqlite-message-log.test.ts: opens the SQLite store on argv[2] (a
// DATA_DIR of its own, so appends go through the message log, applied and restarted
// often), makes chats, then appends to them without end, some messages sent twice,
// writing "chatId seq clientMsgId id" for every acknowledged one, until it is killed.
import { openSqliteStore } from '../../relay/store/sqlite';

const dir = process.argv[2]!;
const store = await openSqliteStore(dir, { messageLog: { enabled: true, applyMs: 30, wrapBytes: 16 * 1024 } });
const at = new Date().toISOString();
await store.createUser({ id: 'u1', username: 'ann', displayName: 'Ann', createdAt: at }, 'h', 's');
await store.createUser({ id: 'u2', username: 'bob', displayName: 'Bob', createdAt: at }, 'h', 's');
const chats = ['c1', 'c2', 'c3'];
for (const id of chats) await store.createChat({ id, kind: 'group', pairKey: null, createdAt: at }, ['u1', 'u2']);
process.stdout.write('ready\n');

let n = 0;
async function sender(senderId: string): Promise<never> {
  for (;;) {
    const k = n++;
    const chatId = chats[k % chats.length]!;
    const clientMsgId = `${senderId}-${k}`;
    const msg = { chatId, senderId, clientMsgId, body: `message ${k} ${'x'.repeat(k % 200)}`, createdAt: new Date().toISOString() };
    // every fifth one is sent twice at once: a resend while the first is in flight
    const sends = [store.appendMessage(msg, `id-${k}`)];
    if (k % 5 === 0) sends.push(store.appendMessage(msg, `id-${k}-again`));
    for (const r of await Promise.all(sends)) process.stdout.write(`${r.message.chatId} ${r.message.seq} ${r.message.clientMsgId} ${r.message.id}\n`);
  }
}
// several in flight at once, so batches hold several messages of several chats
for (let i = 0; i < 24; i++) void sender(i % 2 ? 'u1' : 'u2');
