// clientMsgId: 1-64 of A-Za-z0-9_- (docs/protocol.md). 128 random bits as hex.
// getRandomValues rather than randomUUID: the latter exists only in secure
// contexts, and the web client may be served over plain http on a LAN.
export function newClientMsgId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
