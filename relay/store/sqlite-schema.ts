// Schema migrations for the embedded store, applied in order and recorded in
// PRAGMA user_version so an existing DATA_DIR is upgraded in place.
import type Database from 'better-sqlite3';

export const MIGRATIONS: string[] = [
  // 1: the first schema
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    salt TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at TEXT NOT NULL
  );
  CREATE INDEX tokens_user ON tokens(user_id);
  CREATE TABLE friend_requests (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id)
  ) WITHOUT ROWID;
  CREATE INDEX friend_requests_to ON friend_requests(to_id);
  -- one row per direction, so "friends of X" is one index range
  CREATE TABLE friendships (
    user_id TEXT NOT NULL,
    friend_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, friend_id)
  ) WITHOUT ROWID;
  CREATE TABLE chats (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    pair_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    -- sorted member ids joined by ',' ('' when nobody is a member): exact-set lookups
    member_key TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX chats_member_key ON chats(member_key);
  CREATE TABLE members (
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    joined INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_user ON members(user_id);
  -- kept apart from members so a direct chat's read position survives leaving and coming back
  CREATE TABLE reads (
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    read_seq INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE messages (
    id TEXT NOT NULL UNIQUE,
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    body TEXT NOT NULL,
    client_msg_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, sender_id, client_msg_id);
  CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    chat_id TEXT,
    kind TEXT NOT NULL,
    target_key TEXT NOT NULL,
    member_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX invites_to ON invites(to_id, status);
  CREATE INDEX invites_from ON invites(from_id, status);
  CREATE INDEX invites_target ON invites(target_key, status);
  CREATE INDEX invites_pending_expiry ON invites(expires_at) WHERE status = 'pending';
  `,
  // 2: a one-row table that /healthz writes to, so a store that cannot write is reported
  `
  CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT NOT NULL);
  `,
  // 3: no unique index on messages.id. The relay makes ids with randomUUID and never
  // looks a message up by id, and that index cost every append a write to a random
  // page of its own (about a quarter of an append's pages).
  `
  CREATE TABLE messages_v3 (
    id TEXT NOT NULL,
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    body TEXT NOT NULL,
    client_msg_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO messages_v3 (id, chat_id, seq, sender_id, body, client_msg_id, created_at)
    SELECT id, chat_id, seq, sender_id, body, client_msg_id, created_at FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_v3 RENAME TO messages;
  CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, sender_id, client_msg_id);
  `,
  // 4: at most one pending invite per inviter, invitee and target (already_invited),
  // enforced by the file itself so relays sharing it cannot both insert one. Any such
  // pair left by older versions keeps its first invite; the others close as cancelled.
  `
  UPDATE invites SET status = 'cancelled'
    WHERE status = 'pending' AND EXISTS (
      SELECT 1 FROM invites o WHERE o.status = 'pending' AND o.from_id = invites.from_id AND o.to_id = invites.to_id
        AND o.target_key = invites.target_key AND (o.created_at < invites.created_at OR (o.created_at = invites.created_at AND o.id < invites.id)));
  CREATE UNIQUE INDEX invites_one_pending ON invites(from_id, to_id, target_key) WHERE status = 'pending';
  `,
  // 5: membership entries ("joined", "left") in the timeline, in seq order with the
  // text messages. Their client_msg_id is "<kind>:<id>" (the wire shows ""), so the
  // resend index never sees two entries of one member as the same message.
  `
  ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
  `,
  // 6: a chat's last seq is the greatest seq among its messages, read from the
  // (chat_id, seq) primary key: messages are never deleted one by one, only with their
  // chat. Keeping it in chats.last_seq as well cost every append an UPDATE and a page of
  // the chats table in each commit's WAL frames. Relays of an older version must not run
  // on the file after this (they would write the column).
  `
  ALTER TABLE chats DROP COLUMN last_seq;
  `,
];

export function migrate(db: Database.Database): void {
  for (;;) {
    // The version is read under the write lock: relays started at once on one DATA_DIR
    // would otherwise all see the same version and apply the same step twice.
    const more = db
      .transaction(() => {
        const v = db.pragma('user_version', { simple: true }) as number;
        if (v >= MIGRATIONS.length) return false;
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
        return true;
      })
      .immediate();
    if (!more) return;
  }
}
