// Which relay the desktop app talks to, decided at run time so one build serves any
// relay: RELAY_URL in the environment wins, then `relayUrl` in the app's package.json
// (set per build with electron-builder's extraMetadata), then a relay on this machine.
// Plain http:// is for a relay on this machine only: anywhere else the password and
// the token would cross the network in clear, so such a URL is refused.
export const DEFAULT_RELAY_URL = 'http://127.0.0.1:3000';

export interface RelayUrlSource {
  env: Record<string, string | undefined>;
  packageJson: unknown;
  warn(message: string): void;
}

/** localhost, 127.0.0.0/8 and [::1]: names and addresses that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}

type Checked = { ok: true; url: string } | { ok: false; why: string };

function check(url: string): Checked {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return { ok: false, why: 'not an http(s) URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, why: 'not an http(s) URL' };
  if (u.username || u.password || u.search || u.hash) return { ok: false, why: 'not an http(s) URL' };
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    return { ok: false, why: 'http:// is allowed only for a relay on this machine; use https://' };
  }
  return { ok: true, url: u.origin + u.pathname.replace(/\/+$/, '') };
}

export function resolveRelayUrl({ env, packageJson, warn }: RelayUrlSource): string {
  const fromEnv = env.RELAY_URL;
  if (fromEnv) {
    const c = check(fromEnv);
    if (c.ok) return c.url;
    warn(`ignoring RELAY_URL=${JSON.stringify(fromEnv)}: ${c.why}`);
  }
  if (typeof packageJson === 'object' && packageJson !== null && 'relayUrl' in packageJson) {
    const raw = (packageJson as { relayUrl: unknown }).relayUrl;
    const c: Checked = typeof raw === 'string' ? check(raw) : { ok: false, why: 'not an http(s) URL' };
    if (c.ok) return c.url;
    warn(`ignoring relayUrl ${JSON.stringify(raw)} in package.json: ${c.why}`);
  }
  return DEFAULT_RELAY_URL;
}
