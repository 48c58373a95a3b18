// Turns stored user ids into wire Users and Members. Users never change after
// registration (no rename yet), so a process-wide cache is always correct.
import type { Member, User } from '../../protocol/types';
import type { Store, UserRecord } from '../store/types';
import type { PresenceView } from './context';

export class UserDirectory {
  private readonly cache = new Map<string, User>();

  constructor(private readonly store: Store) {}

  remember(u: UserRecord): User {
    const user = { id: u.id, username: u.username, displayName: u.displayName };
    this.cache.set(u.id, user);
    return user;
  }

  async get(id: string): Promise<User> {
    const [u] = await this.many([id]);
    return u!;
  }

  /** Users in the order of `ids`; ids that name nobody are dropped. */
  async many(ids: readonly string[]): Promise<User[]> {
    const missing = ids.filter((id) => !this.cache.has(id));
    if (missing.length) for (const u of await this.store.getUsers(missing)) this.remember(u);
    return ids.flatMap((id) => {
      const u = this.cache.get(id);
      return u ? [u] : [];
    });
  }

  async members(ids: readonly string[], presence: PresenceView): Promise<Member[]> {
    const users = await this.many(ids);
    const online = await presence.onlineAmong(users.map((u) => u.id));
    return users.map((u) => ({ ...u, online: online.has(u.id) }));
  }
}
