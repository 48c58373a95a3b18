// Three users on three relays (Ann on the first, Bob on the second, Cyd on the third),
// all friends, Ann and Bob with a direct chat: the start of the multi-relay rule suites.
import { befriend, inviteAndAccept, signUp, type TestUser } from './clients';

export async function trioOnRelays(urls: readonly [string, string, string]): Promise<{ ann: TestUser; bob: TestUser; cyd: TestUser; directId: string }> {
  const [ann, bob, cyd] = await Promise.all([signUp(urls[0], 'ann'), signUp(urls[1], 'bob'), signUp(urls[2], 'cyd')]);
  await befriend(ann, bob);
  await befriend(ann, cyd);
  await befriend(bob, cyd);
  const direct = await inviteAndAccept(ann, bob);
  return { ann, bob, cyd, directId: direct.id };
}
