// Relay settings from the environment (docs/protocol.md, "Starting the relay";
// the table in README.md), read once.
import { z } from 'zod';
import { parseAllowedOrigins } from './origins';

const int = (def: number) => z.coerce.number().int().min(0).default(def);

const schema = z.object({
  PORT: int(3000).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: z.string().optional().transform((s) => (s ? s : undefined)),
  /** the longest one MongoDB store call may take; past it the request answers internal and nothing is acknowledged */
  MONGODB_TIMEOUT_MS: int(10_000).pipe(z.number().min(1)),
  /** set: this relay joins every other relay on the same Redis (docs/protocol.md, "Starting the relay") */
  REDIS_URL: z.string().optional().transform((s) => (s ? s : undefined)),
  INVITE_TTL_SECONDS: z.coerce.number().positive().default(300),
  TOKEN_TTL_SECONDS: z.coerce.number().positive().default(30 * 24 * 3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** chat:send per user: sustained per second, and the burst on top (docs/protocol.md: 10/s, bursts of 100) */
  SEND_RATE_PER_SECOND: int(10),
  SEND_BURST: int(100),
  /** every other event, per user per second: far above anything a person clicks */
  EVENT_RATE_PER_SECOND: int(300),
  /** chat:history pages per user per second (a catch-up after a long time away pages several chats at once) */
  HISTORY_RATE_PER_SECOND: int(100).pipe(z.number().min(1)),
  /** chat:typing signals per user per second (a client sends one every few seconds per chat) */
  TYPING_RATE_PER_SECOND: int(10).pipe(z.number().min(1)),
  MAX_SOCKETS_PER_USER: int(20),
  /** sign-in attempts per username and address in 15 minutes before 429 (a person mistyping stays far below) */
  LOGIN_ATTEMPTS: int(20).pipe(z.number().min(1)),
  /** sign-in attempts from one address in 15 minutes, whatever the usernames (a class behind one address stays below) */
  LOGIN_ATTEMPTS_PER_ADDRESS: int(300).pipe(z.number().min(1)),
  /** accounts created from one address in an hour */
  REGISTRATIONS_PER_ADDRESS: int(100).pipe(z.number().min(1)),
  /** password hashes running or waiting (about 50 ms each, one at a time): beyond that, sign-ins answer 429 at once */
  MAX_PASSWORD_HASHES: int(64).pipe(z.number().min(1)),
  /** how many proxies in front of the relay to believe about the client's address and host; 0: none */
  TRUST_PROXY: int(0).transform((n) => (n === 0 ? (false as const) : n)),
  /** browser origins allowed besides the relay's own and the desktop app's, comma-separated */
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      try {
        return parseAllowedOrigins(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
        return z.NEVER;
      }
    }),
  /** where the built web client is; served at / when it exists */
  WEB_DIR: z.string().default('dist/web'),
});

export type Config = z.output<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`bad relay configuration: ${why}`);
  }
  return parsed.data;
}
