// Several relays on one MongoDB (a replica set), joined through Redis: the ordering
// and the rules that the SQLite multi-relay suites check, through the MongoDB store's
// transactions. Runs where MONGODB_URI names a replica set (or mongodb-memory-server
// can start one); elsewhere skipped with one printed line.
import { afterAll, describe, expect, it } from 'vitest';
import { useRelayCluster } from '../helpers/relay-cluster';
import { trioOnRelays } from '../helpers/relay-trio';
import { dropDatabases, findMongo, randomDbName } from '../helpers/mongo';
import { call, connect, inviteAndAccept, ok, waitFor } from '../helpers/clients';
import { fullHistory } from '../helpers/fault-sockets';

const mongo = await findMongo();
if (!mongo.available) console.warn(`[multi-relay-mongo] skipping several relays on MongoDB: ${mongo.reason}`);

/** The URI with this run's own database in its path (the relay takes the name from there). */
function withDatabase(uri: string, db: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*/, `$1/${db}`);
}

describe.skipIf(!mongo.available)('several relays as one, on MongoDB', () => {
  const db = randomDbName('multirelay');
  const uri = mongo.available ? withDatabase(mongo.uri, db) : '';
  const cluster = useRelayCluster(3, { MONGODB_URI: uri });
  const url = (i: number): string => cluster.relays[i]!.url;

  afterAll(async () => {
    if (!mongo.available) return;
    await dropDatabases(mongo.uri, [db]).catch(() => undefined);
    await mongo.stop();
  });

  const trio = () => trioOnRelays([url(0), url(1), url(2)]);

  it('concurrent senders on three relays: gapless seqs, one order live and in history, catch-up never skips', async () => {
    const { ann, bob, cyd, directId } = await trio();
    const group = await inviteAndAccept(ann, cyd, directId);
    const senders = [ann, bob, cyd];
    const acks = await Promise.all(
      senders.flatMap((u) => Array.from({ length: 20 }, (_, i) => call(u.socket, 'chat:send', { chatId: group.id, clientMsgId: `m${i}`, body: `${u.user.username} ${i}` }))),
    );
    const sent = acks.flatMap((a) => (a.ok ? [a.message] : []));
    expect(sent).toHaveLength(60);
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => seqs[0]! + i));
    const history = await fullHistory(bob.socket, group.id);
    expect(history.filter((m) => m.kind === 'text').map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
    // every prefix a client could have seen is complete: after any seq, the rest follows
    for (const cut of [seqs[0]!, seqs[29]!, seqs[58]!]) {
      const after = await ok(ann.socket, 'chat:history', { chatId: group.id, after: cut, limit: 200 });
      expect(after.messages.map((m) => m.seq)).toEqual(seqs.filter((s) => s > cut));
    }
    for (const u of senders) u.socket.disconnect();
  });

  it('concurrent accepts on two relays of invites making one member set create one chat', async () => {
    const { ann, bob, cyd, directId } = await trio();
    const cyd1 = await connect(url(1), cyd.token);
    const fromAnn = await ok(ann.socket, 'invite:create', { to: cyd.user.username, chatId: directId });
    const fromBob = await ok(bob.socket, 'invite:create', { to: cyd.user.username, chatId: directId });
    const answers = await Promise.all([
      call(cyd.socket, 'invite:accept', { inviteId: fromAnn.invite.id }),
      call(cyd1, 'invite:accept', { inviteId: fromBob.invite.id }),
    ]);
    const accepted = answers.flatMap((a) => (a.ok ? [a.chat] : []));
    expect(accepted).toHaveLength(1);
    expect(answers.flatMap((a) => (a.ok ? [] : [a.error]))).toEqual([expect.objectContaining({ code: 'duplicate_members', chatId: accepted[0]!.id })]);
    // a leave on one relay reaches the others as a membership entry
    const entry = waitFor(ann.socket, 'chat:member', (p) => p.change === 'left');
    await ok(cyd1, 'chat:leave', { chatId: accepted[0]!.id });
    expect((await entry).message).toMatchObject({ kind: 'left', sender: cyd.user });
    for (const s of [ann.socket, bob.socket, cyd.socket, cyd1]) s.disconnect();
  });
});
