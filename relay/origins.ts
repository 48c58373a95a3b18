// Which browser pages may talk to the relay: its own web client (same host), the
// desktop app's renderer, and what ALLOWED_ORIGINS adds. A request without an Origin
// header is not from a page (the desktop app's main process, scripts, tests) and is
// judged by its token alone; an Origin of any other site is refused, so a page on
// another site cannot use a browser's way in.
export const DESKTOP_ORIGIN = 'app://renderer';

export function parseAllowedOrigins(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      try {
        return new URL(s).origin;
      } catch {
        throw new Error(`ALLOWED_ORIGINS: ${JSON.stringify(s)} is not an origin (scheme://host[:port])`);
      }
    });
}

/** `host`: the Host the request was sent to (or, behind a trusted proxy, X-Forwarded-Host). */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (origin === DESKTOP_ORIGIN || allowed.includes(origin)) return true;
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}
