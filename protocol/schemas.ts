// Payload schemas for every client->server event and HTTP body (docs/protocol.md limits).
// Strict objects: unknown fields, operator objects like {"$gt": ""} and wrong types
// all fail here, before any rule or store sees them.
import { z } from 'zod';
import type { ClientEvent } from './types';

export const USERNAME_RE = /^[a-zA-Z0-9_.-]{3,32}$/;
export const CLIENT_MSG_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const BODY_MAX = 4000;
export const HISTORY_LIMIT_MAX = 200;
export const HISTORY_LIMIT_DEFAULT = 50;

/** Lower-cased on the way in: usernames compare case-insensitively. */
export const username = z
  .string()
  .regex(USERNAME_RE, 'username must be 3-32 of a-z 0-9 _ . -')
  .transform((s) => s.toLowerCase());

export const password = z.string().min(8).max(256);
export const displayName = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1).max(64));

/** Ids are opaque to clients; anything well-formed that names nothing is not_found. */
export const id = z.string().min(1).max(128);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const registerBody = z.strictObject({ username, password, displayName: displayName.optional() });
export const loginBody = z.strictObject({ username, password });

const empty = z.strictObject({});
const byUsername = z.strictObject({ username });
const byInvite = z.strictObject({ inviteId: id });
const byChat = z.strictObject({ chatId: id });

export const clientSchemas = {
  'friends:list': empty,
  'friends:request': byUsername,
  'friends:accept': byUsername,
  'friends:decline': byUsername,
  'friends:remove': byUsername,
  'invite:create': z.strictObject({ to: username, chatId: id.optional() }),
  'invite:accept': byInvite,
  'invite:reject': byInvite,
  'invite:cancel': byInvite,
  'invite:list': empty,
  'chat:list': empty,
  'chat:history': z
    .strictObject({
      chatId: id,
      before: seq.optional(),
      after: seq.optional(),
      limit: z.number().int().min(1).max(HISTORY_LIMIT_MAX).optional(),
    })
    .refine((p) => p.before === undefined || p.after === undefined, 'give before or after, not both'),
  'chat:send': z.strictObject({
    chatId: id,
    clientMsgId: z.string().regex(CLIENT_MSG_ID_RE, 'clientMsgId must be 1-64 of A-Z a-z 0-9 _ -'),
    body: z
      .string()
      .transform((s) => s.trim())
      .pipe(z.string().min(1).max(BODY_MAX)),
  }),
  'chat:leave': byChat,
  'chat:typing': byChat,
  'chat:read': z.strictObject({ chatId: id, seq }),
} satisfies Record<ClientEvent, z.ZodType>;

export type ParsedPayload<E extends ClientEvent> = z.output<(typeof clientSchemas)[E]>;

/** A short, human-readable reason from a zod failure, for the error message. */
export function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
