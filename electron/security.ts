// Everything that decides what a window may load, run and talk to, in one place, so
// a unit test can assert it for every window kind (docs/architecture.md).
export type WindowKind = 'main' | 'chat';

/**
 * The renderer is served from a privileged custom scheme instead of file://, so it
 * has a real origin of its own, gets a CSP header on every response, and a sender
 * check can compare against one exact scheme and host.
 */
export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'renderer';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;

/**
 * The page talks to the relay only through the preload's IPC API, so it needs no
 * network at all: connect-src 'none'. No inline or eval'd script, no plugins, no
 * frames, no <base> tricks, no form posts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The subset of Electron's WebPreferences we set; all of it, for every window. */
export interface LockedWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  spellcheck: boolean;
  devTools: boolean;
}

/** `packaged`: an installed build, where DevTools stay closed (no console into a signed-in session). */
export function webPreferencesFor(kind: WindowKind, preloadPath: string, packaged: boolean): LockedWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    // Chat windows are where people type messages.
    spellcheck: kind === 'chat',
    devTools: !packaged,
  };
}

/** Where a window of each kind points: chat windows carry their chat in the hash. */
export function rendererUrl(target: { kind: 'main' } | { kind: 'chat'; chatId: string }, base = `${RENDERER_ORIGIN}/index.html`): string {
  if (target.kind === 'main') return base;
  return `${base}#chat=${encodeURIComponent(target.chatId)}`;
}

/**
 * True when `url` is a page of our renderer: the app:// origin, or the electron-vite
 * dev server when one is in use (development only, passed in by main).
 */
export function isRendererUrl(url: string, devServerUrl?: string | null): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // WHATWG gives non-special schemes an opaque "null" origin, so compare the parts.
  if (u.protocol === `${RENDERER_SCHEME}:` && u.host === RENDERER_HOST && !u.username && !u.password) return true;
  if (devServerUrl) {
    try {
      const dev = new URL(devServerUrl);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** A link the user clicked that should open in their browser instead of our window. */
export function externalLinkToOpen(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** What the navigation guard needs of a webContents (Electron's, or a test's). */
export interface GuardableContents {
  onWillNavigate(listener: (event: PreventableEvent, url: string) => void): void;
  onWillRedirect(listener: (event: PreventableEvent, url: string) => void): void;
  onWillAttachWebview(listener: (event: PreventableEvent) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * No window ever leaves our renderer or opens another window: every navigation and
 * window.open is refused. An http(s) link is handed to the user's browser instead,
 * never loaded with our preload. In-page (#hash) changes are not navigations.
 */
export function attachNavigationGuards(contents: GuardableContents, openExternal: (url: string) => void): void {
  const refuse = (event: PreventableEvent, url: string) => {
    event.preventDefault();
    const external = externalLinkToOpen(url);
    if (external) openExternal(external);
  };
  contents.onWillNavigate(refuse);
  contents.onWillRedirect((event) => event.preventDefault());
  contents.onWillAttachWebview((event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkToOpen(url);
    if (external) openExternal(external);
    return { action: 'deny' };
  });
}
