import { describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_URL, resolveRelayUrl } from '../../../electron/app-config';

function resolve(env: Record<string, string | undefined>, packageJson: unknown = {}) {
  const warnings: string[] = [];
  const url = resolveRelayUrl({ env, packageJson, warn: (w) => warnings.push(w) });
  return { url, warnings };
}

describe('resolveRelayUrl', () => {
  it('prefers RELAY_URL, then package.json relayUrl, then the local default', () => {
    expect(resolve({ RELAY_URL: 'https://relay.example.org/' }, { relayUrl: 'http://other:1' }).url).toBe('https://relay.example.org');
    expect(resolve({}, { relayUrl: 'https://relay.lan:3000' }).url).toBe('https://relay.lan:3000');
    expect(resolve({}, {}).url).toBe(DEFAULT_RELAY_URL);
    expect(resolve({}, null).url).toBe(DEFAULT_RELAY_URL);
  });

  it('warns about and skips values that are not http(s) URLs', () => {
    const bad = resolve({ RELAY_URL: 'file:///etc/passwd' }, { relayUrl: 'javascript:alert(1)' });
    expect(bad.url).toBe(DEFAULT_RELAY_URL);
    expect(bad.warnings).toHaveLength(2);
    expect(resolve({ RELAY_URL: 'not a url' }).warnings).toHaveLength(1);
  });

  it('accepts http:// only for a relay on this machine: anything else must be https://', () => {
    for (const local of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://127.8.9.10', 'http://[::1]:3000', 'http://chat.localhost']) {
      expect(resolve({ RELAY_URL: local }), local).toEqual({ url: local, warnings: [] });
    }
    for (const remote of ['http://relay.example.org', 'http://192.168.1.20:3000', 'http://10.0.0.1', 'http://[2001:db8::1]', 'http://127.0.0.1.example.org']) {
      const r = resolve({ RELAY_URL: remote }, { relayUrl: remote });
      expect(r.url, remote).toBe(DEFAULT_RELAY_URL);
      expect(r.warnings, remote).toHaveLength(2);
      expect(r.warnings[0]).toMatch(/use https:\/\//);
    }
    expect(resolve({ RELAY_URL: 'http://relay.example.org' }, { relayUrl: 'https://relay.example.org' }).url).toBe('https://relay.example.org');
  });

  it('keeps a path prefix (a relay behind a reverse proxy)', () => {
    expect(resolve({ RELAY_URL: 'https://example.org/chat/' }).url).toBe('https://example.org/chat');
  });
});
