// Rules that read and then write hold across relays: two relays deciding at the same
// moment cannot both pass a check that only one may pass, because the store decides
// (one write transaction on the shared SQLite file), not a queue inside one relay.
import { describe, expect, it } from 'vitest';
import { useRelayCluster } from '../helpers/relay-cluster';
import { trioOnRelays } from '../helpers/relay-trio';
import { befriend, call, connect, inviteAndAccept, ok, signUp, waitFor } from '../helpers/clients';

const cluster = useRelayCluster(3);
const url = (i: number): string => cluster.relays[i]!.url;

const trio = () => trioOnRelays([url(0), url(1), url(2)]);

const ROUNDS = 6;

describe('several relays as one: rules decided by the store', () => {
  it('concurrent accepts on different relays of invites making the same member set create one chat', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { ann, bob, cyd, directId } = await trio();
      // Cyd has a second socket on relay 1: each accept goes through a different relay
      const cyd1 = await connect(url(1), cyd.token);
      try {
        const fromAnn = await ok(ann.socket, 'invite:create', { to: cyd.user.username, chatId: directId });
        const fromBob = await ok(bob.socket, 'invite:create', { to: cyd.user.username, chatId: directId });
        const answers = await Promise.all([
          call(cyd.socket, 'invite:accept', { inviteId: fromAnn.invite.id }),
          call(cyd1, 'invite:accept', { inviteId: fromBob.invite.id }),
        ]);
        const accepted = answers.flatMap((a) => (a.ok ? [a.chat] : []));
        const refused = answers.flatMap((a) => (a.ok ? [] : [a.error]));
        expect(accepted).toHaveLength(1);
        expect(refused).toEqual([expect.objectContaining({ code: 'duplicate_members', chatId: accepted[0]!.id })]);
        const { chats } = await ok(cyd.socket, 'chat:list', {});
        expect(chats.map((c) => c.id)).toEqual([accepted[0]!.id]);
        expect(chats[0]!.members.map((m) => m.id).sort()).toEqual([ann.user.id, bob.user.id, cyd.user.id].sort());
      } finally {
        for (const s of [ann.socket, bob.socket, cyd.socket, cyd1]) s.disconnect();
      }
    }
  });

  it('the same invite sent at once through two relays is stored once; the other answer is already_invited', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [ann, bob] = await Promise.all([signUp(url(0), 'ann'), signUp(url(1), 'bob')]);
      const ann2 = await connect(url(2), ann.token);
      try {
        await befriend(ann, bob);
        const answers = await Promise.all([ann.socket, ann2].map((s) => call(s, 'invite:create', { to: bob.user.username })));
        expect(answers.filter((a) => a.ok)).toHaveLength(1);
        expect(answers.flatMap((a) => (a.ok ? [] : [a.error.code]))).toEqual(['already_invited']);
        const { incoming } = await ok(bob.socket, 'invite:list', {});
        expect(incoming).toHaveLength(1);
      } finally {
        for (const s of [ann.socket, ann2, bob.socket]) s.disconnect();
      }
    }
  });

  it('a last member leaving on one relay while an invitee accepts on another: never a deleted group with a member', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { ann, bob, cyd, directId } = await trio();
      try {
        // a group of Ann, Bob and Cyd; Bob and Cyd leave; Ann, its last member, invites Cyd back
        const group = await inviteAndAccept(ann, cyd, directId);
        await ok(bob.socket, 'chat:leave', { chatId: group.id });
        await ok(cyd.socket, 'chat:leave', { chatId: group.id });
        const received = waitFor(cyd.socket, 'invite:received');
        const { invite } = await ok(ann.socket, 'invite:create', { to: cyd.user.username, chatId: group.id });
        await received;
        const [accept, leave] = await Promise.all([
          call(cyd.socket, 'invite:accept', { inviteId: invite.id }),
          call(ann.socket, 'chat:leave', { chatId: group.id }),
        ]);
        expect(leave.ok).toBe(true);
        const cyds = (await ok(cyd.socket, 'chat:list', {})).chats.filter((c) => c.id === group.id);
        const history = await call(cyd.socket, 'chat:history', { chatId: group.id });
        if (accept.ok) {
          // the accept came first: Cyd is in the group, alone, and it still works
          expect(cyds.map((c) => c.members.map((m) => m.id))).toEqual([[cyd.user.id]]);
          expect(history.ok).toBe(true);
        } else {
          // the leave came first: the group is gone with its invite
          expect(accept.error.code).toBe('invite_closed');
          expect(cyds).toEqual([]);
          expect(history).toMatchObject({ ok: false, error: { code: 'not_found' } });
        }
      } finally {
        for (const s of [ann.socket, bob.socket, cyd.socket]) s.disconnect();
      }
    }
  });
});
