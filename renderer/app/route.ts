// Two screens: the main one (sidebar + chats), and, in Electron, a window that shows
// exactly one chat, addressed by the URL hash `#chat=<chatId>`.
export type Route = { kind: 'main' } | { kind: 'chat'; chatId: string };

export function parseRoute(hash: string): Route {
  const m = /^#chat=(.+)$/.exec(hash);
  if (!m) return { kind: 'main' };
  return { kind: 'chat', chatId: decodeURIComponent(m[1]!) };
}
