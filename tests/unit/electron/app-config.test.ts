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
    expect(resolve({}, { relayUrl: 'http://relay.lan:3000' }).url).toBe('http://relay.lan:3000');
    expect(resolve({}, {}).url).toBe(DEFAULT_RELAY_URL);
    expect(resolve({}, null).url).toBe(DEFAULT_RELAY_URL);
  });

  it('warns about and skips values that are not http(s) URLs', () => {
    const bad = resolve({ RELAY_URL: 'file:///etc/passwd' }, { relayUrl: 'javascript:alert(1)' });
    expect(bad.url).toBe(DEFAULT_RELAY_URL);
    expect(bad.warnings).toHaveLength(2);
    expect(resolve({ RELAY_URL: 'not a url' }).warnings).toHaveLength(1);
  });

  it('keeps a path prefix (a relay behind a reverse proxy)', () => {
    expect(resolve({ RELAY_URL: 'https://example.org/chat/' }).url).toBe('https://example.org/chat');
  });
});
