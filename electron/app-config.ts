// Which relay the desktop app talks to, decided at run time so one build serves any
// relay: RELAY_URL in the environment wins, then `relayUrl` in the app's package.json
// (set per build with electron-builder's extraMetadata), then a relay on this machine.
export const DEFAULT_RELAY_URL = 'http://127.0.0.1:3000';

export interface RelayUrlSource {
  env: Record<string, string | undefined>;
  packageJson: unknown;
  warn(message: string): void;
}

function normalise(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password || u.search || u.hash) return null;
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

export function resolveRelayUrl({ env, packageJson, warn }: RelayUrlSource): string {
  const fromEnv = env.RELAY_URL;
  if (fromEnv) {
    const url = normalise(fromEnv);
    if (url) return url;
    warn(`ignoring RELAY_URL=${JSON.stringify(fromEnv)}: not an http(s) URL`);
  }
  if (typeof packageJson === 'object' && packageJson !== null && 'relayUrl' in packageJson) {
    const raw = (packageJson as { relayUrl: unknown }).relayUrl;
    const url = typeof raw === 'string' ? normalise(raw) : null;
    if (url) return url;
    warn(`ignoring relayUrl ${JSON.stringify(raw)} in package.json: not an http(s) URL`);
  }
  return DEFAULT_RELAY_URL;
}
