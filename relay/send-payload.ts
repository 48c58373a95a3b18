// chat:send is most of what clients send, and zod's strictObject with a trim-and-pipe
// body costs several allocations and checks per message. Payloads as socket.io decodes
// them (plain objects from JSON.parse) that are plainly valid are read here directly;
// anything else, or anything in doubt, goes to the schema, which also words the error.
import { BODY_MAX, CLIENT_MSG_ID_RE, clientSchemas, type ParsedPayload } from '../protocol/schemas';

export type SendPayload = ParsedPayload<'chat:send'>;

/** The id schema's bounds (protocol/schemas.ts `id`). */
const ID_MAX = 128;

/**
 * The parsed chat:send payload when `payload` is a plain object with exactly chatId,
 * clientMsgId and body, each valid: the same value clientSchemas['chat:send'] returns
 * for it (body trimmed). null: not decided here, ask the schema.
 */
export function readSend(payload: unknown): SendPayload | null {
  if (typeof payload !== 'object' || payload === null || Object.getPrototypeOf(payload) !== Object.prototype) return null;
  const p = payload as Record<string, unknown>;
  const { chatId, clientMsgId, body } = p;
  if (typeof chatId !== 'string' || chatId.length < 1 || chatId.length > ID_MAX) return null;
  if (typeof clientMsgId !== 'string' || !CLIENT_MSG_ID_RE.test(clientMsgId)) return null;
  if (typeof body !== 'string') return null;
  // strictObject: any other key is an error the schema words
  let keys = 0;
  for (const k in p) if (Object.hasOwn(p, k)) keys++;
  if (keys !== 3) return null;
  const trimmed = body.trim();
  if (trimmed.length < 1 || trimmed.length > BODY_MAX) return null;
  return { chatId, clientMsgId, body: trimmed };
}

/** The schema's answer, for what readSend left undecided. */
export const sendSchema = clientSchemas['chat:send'];
