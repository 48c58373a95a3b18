// Structured logs (pino). Secrets never reach them: request bodies are not logged and
// the fields that could carry a password or token are redacted all the same.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'auth.token'], censor: '[redacted]' },
  });
}

export type { Logger };
