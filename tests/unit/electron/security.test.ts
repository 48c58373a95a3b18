import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  attachNavigationGuards,
  externalLinkToOpen,
  isRendererUrl,
  rendererUrl,
  webPreferencesFor,
  type GuardableContents,
  type PreventableEvent,
  type WindowKind,
} from '../../../electron/security';

const KINDS: WindowKind[] = ['main', 'chat'];

describe('webPreferencesFor', () => {
  for (const kind of KINDS) {
    it(`locks down the ${kind} window`, () => {
      const prefs = webPreferencesFor(kind, '/app/out/preload/index.cjs', true);
      expect(prefs).toMatchObject({
        preload: '/app/out/preload/index.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
      });
    });
  }

  it('closes DevTools in an installed build, keeps them while developing', () => {
    for (const kind of KINDS) {
      expect(webPreferencesFor(kind, 'p', true).devTools).toBe(false);
      expect(webPreferencesFor(kind, 'p', false).devTools).toBe(true);
    }
  });

  it('sets nothing else that could loosen it', () => {
    const keys = Object.keys(webPreferencesFor('chat', 'p', true)).sort();
    expect(keys).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'devTools',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    );
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(' ')] as const;
    }),
  );
  it('allows only our own scripts and no network from the page', () => {
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('renderer URLs', () => {
  it('addresses a chat window by its chat in the hash', () => {
    expect(rendererUrl({ kind: 'main' })).toBe('app://renderer/index.html');
    expect(rendererUrl({ kind: 'chat', chatId: 'c 1/#' })).toBe('app://renderer/index.html#chat=c%201%2F%23');
    expect(rendererUrl({ kind: 'chat', chatId: 'abc' }, 'http://localhost:5173/')).toBe('http://localhost:5173/#chat=abc');
  });

  it('recognises only our renderer as a trusted page', () => {
    expect(isRendererUrl('app://renderer/index.html')).toBe(true);
    expect(isRendererUrl('app://renderer/index.html#chat=x')).toBe(true);
    expect(isRendererUrl('app://evil/index.html')).toBe(false);
    expect(isRendererUrl('app://user:pw@renderer/index.html')).toBe(false);
    expect(isRendererUrl('file:///app/out/renderer/index.html')).toBe(false);
    expect(isRendererUrl('https://renderer/index.html')).toBe(false);
    expect(isRendererUrl('http://localhost:5173/')).toBe(false);
    expect(isRendererUrl('not a url')).toBe(false);
    expect(isRendererUrl('')).toBe(false);
  });

  it('trusts the dev server only when one is configured, and only its origin', () => {
    expect(isRendererUrl('http://localhost:5173/index.html', 'http://localhost:5173')).toBe(true);
    expect(isRendererUrl('http://localhost:5174/index.html', 'http://localhost:5173')).toBe(false);
    expect(isRendererUrl('https://example.com/', 'http://localhost:5173')).toBe(false);
  });
});

class FakeContents implements GuardableContents {
  navigate?: (event: PreventableEvent, url: string) => void;
  redirect?: (event: PreventableEvent, url: string) => void;
  webview?: (event: PreventableEvent) => void;
  openHandler?: (details: { url: string }) => { action: 'deny' };
  onWillNavigate(l: (event: PreventableEvent, url: string) => void) {
    this.navigate = l;
  }
  onWillRedirect(l: (event: PreventableEvent, url: string) => void) {
    this.redirect = l;
  }
  onWillAttachWebview(l: (event: PreventableEvent) => void) {
    this.webview = l;
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
}

function event() {
  const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
}

describe('navigation guards', () => {
  const setup = () => {
    const contents = new FakeContents();
    const opened: string[] = [];
    attachNavigationGuards(contents, (url) => opened.push(url));
    return { contents, opened };
  };

  it('refuses every navigation, our own pages included', () => {
    const { contents, opened } = setup();
    for (const url of ['app://renderer/other.html', 'file:///etc/passwd', 'javascript:alert(1)', 'app://evil/']) {
      const e = event();
      contents.navigate!(e, url);
      expect(e.prevented, url).toBe(true);
    }
    expect(opened).toEqual([]);
  });

  it('hands http(s) links to the browser instead of loading them', () => {
    const { contents, opened } = setup();
    const e = event();
    contents.navigate!(e, 'https://example.com/page');
    expect(e.prevented).toBe(true);
    expect(opened).toEqual(['https://example.com/page']);
  });

  it('denies every new window, opening http(s) ones externally', () => {
    const { contents, opened } = setup();
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'app://renderer/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///tmp/x' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/']);
  });

  it('refuses redirects and webviews', () => {
    const { contents } = setup();
    const r = event();
    contents.redirect!(r, 'https://example.com/');
    expect(r.prevented).toBe(true);
    const w = event();
    contents.webview!(w);
    expect(w.prevented).toBe(true);
  });

  it('opens externally only http and https', () => {
    expect(externalLinkToOpen('http://a.example/')).toBe('http://a.example/');
    expect(externalLinkToOpen('mailto:x@example.com')).toBeNull();
    expect(externalLinkToOpen('file:///etc/passwd')).toBeNull();
    expect(externalLinkToOpen('smb://host/share')).toBeNull();
    expect(externalLinkToOpen('::')).toBeNull();
  });
});
