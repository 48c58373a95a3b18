// Turns a relay error into a sentence a person can act on. The relay's own message is
// kept for bad_request (it says which field is wrong) and as a fallback.
import type { HttpErrorCode } from '../../protocol/types';

/** Socket errors and HTTP auth errors alike (HTTP adds username_taken). */
export interface ShownError {
  code: HttpErrorCode;
  message: string;
}

const TEXT: Partial<Record<HttpErrorCode, string>> = {
  unauthorized: 'Your session is not valid. Please sign in again.',
  not_found: 'Not found: that user or chat does not exist, or you are not a member.',
  forbidden: 'You are not allowed to do that.',
  not_friends: 'You can only invite friends.',
  not_online: 'That friend is offline. Invites go only to friends who are online.',
  already_friends: 'You are already friends.',
  already_member: 'They are already a member of this chat.',
  already_invited: 'You already invited them; the invite is still pending.',
  duplicate_members: 'A chat with exactly these people already exists.',
  invite_closed: 'That invite is no longer open (it expired, or was cancelled).',
  rate_limited: 'You are going too fast. Wait a moment and try again.',
  internal: 'The relay had an internal error. Please try again.',
  username_taken: 'That username is taken. Pick another one.',
};

export function describeError(error: ShownError): string {
  if (error.code === 'bad_request') return `Invalid request: ${error.message}`;
  // "internal" also covers an unreachable relay; its message says which.
  if (error.code === 'internal' && error.message) return `Something went wrong: ${error.message}`;
  return TEXT[error.code] ?? (error.message || `Error: ${error.code}`);
}

/** Sign-in has its own wording: "unauthorized" there means a wrong password. */
export function describeAuthError(error: ShownError): string {
  if (error.code === 'unauthorized') return 'Wrong username or password.';
  return describeError(error);
}
