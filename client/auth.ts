// HTTP sign-up, sign-in and sign-out against the relay (docs/protocol.md, HTTP).
// Every outcome, a network failure included, comes back as a value, never a throw, so
// callers show it like any other refusal.
import { HTTP_ERROR_CODES, type AuthResult, type HttpError, type HttpErrorCode, type User } from '../protocol/types';

export type AuthResponse = ({ ok: true } & AuthResult) | { ok: false; error: HttpError };

const DEFAULT_TIMEOUT_MS = 15_000;

export function register(baseUrl: string, username: string, password: string, displayName?: string): Promise<AuthResponse> {
  const body: Record<string, string> = { username, password };
  if (displayName !== undefined && displayName !== '') body.displayName = displayName;
  return authCall(baseUrl, '/api/register', body);
}

export function login(baseUrl: string, username: string, password: string): Promise<AuthResponse> {
  return authCall(baseUrl, '/api/login', { username, password });
}

/** Revokes the token; the relay disconnects that token's sockets. */
export async function logout(baseUrl: string, token: string): Promise<{ ok: true } | { ok: false; error: HttpError }> {
  const res = await call(baseUrl, '/api/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return res;
  if (res.response.status === 204 || res.response.ok) return { ok: true };
  return { ok: false, error: await errorOf(res.response) };
}

async function authCall(baseUrl: string, path: string, body: Record<string, string>): Promise<AuthResponse> {
  const res = await call(baseUrl, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) return res;
  if (!res.response.ok) return { ok: false, error: await errorOf(res.response) };
  const data: unknown = await res.response.json().catch(() => null);
  if (isAuthResult(data)) return { ok: true, token: data.token, user: data.user };
  return { ok: false, error: { code: 'internal', message: 'the relay answered with an unexpected body' } };
}

async function call(
  baseUrl: string,
  path: string,
  init: RequestInit,
): Promise<{ ok: true; response: Response } | { ok: false; error: HttpError }> {
  const url = new URL(path, baseUrl).toString();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS) });
    return { ok: true, response };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'internal', message: `cannot reach the relay: ${reason}` } };
  }
}

async function errorOf(response: Response): Promise<HttpError> {
  const data: unknown = await response.json().catch(() => null);
  if (typeof data === 'object' && data !== null && 'error' in data) {
    const e = (data as { error: unknown }).error;
    if (typeof e === 'object' && e !== null) {
      const { code, message } = e as { code?: unknown; message?: unknown };
      if (isErrorCode(code)) return { code, message: typeof message === 'string' ? message : code };
    }
  }
  return { code: response.status === 401 ? 'unauthorized' : 'internal', message: `HTTP ${response.status}` };
}

function isErrorCode(v: unknown): v is HttpErrorCode {
  return typeof v === 'string' && (HTTP_ERROR_CODES as readonly string[]).includes(v);
}

function isUser(v: unknown): v is User {
  if (typeof v !== 'object' || v === null) return false;
  const u = v as Record<string, unknown>;
  return typeof u.id === 'string' && typeof u.username === 'string' && typeof u.displayName === 'string';
}

function isAuthResult(v: unknown): v is AuthResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.token === 'string' && isUser(r.user);
}
