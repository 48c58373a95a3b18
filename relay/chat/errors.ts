// A refusal the rules raise on purpose; anything else that escapes is `internal`.
import type { ErrorCode, WireError } from '../../protocol/types';
import type { AnyEmit } from './context';

export class RelayError extends Error {
  /** Events to send even though the request failed (e.g. the invite it closed). */
  emits: AnyEmit[] = [];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly chatId?: string,
  ) {
    super(message);
  }

  toWire(): WireError {
    return this.chatId === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, chatId: this.chatId };
  }
}

export const notFound = (what: string): RelayError => new RelayError('not_found', `${what} not found`);
