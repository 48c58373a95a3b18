import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mimeTypeOf, rendererFileFor } from '../../../electron/renderer-files';

const root = resolve('/app/out/renderer');

describe('rendererFileFor', () => {
  it('maps app://renderer paths into the renderer folder', () => {
    expect(rendererFileFor('app://renderer/index.html', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('app://renderer/', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('app://renderer/index.html#chat=abc', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('app://renderer/assets/index-1.js?v=2', root)).toBe(join(root, 'assets/index-1.js'));
  });

  it('never leaves the renderer folder', () => {
    for (const url of [
      'app://renderer/../main/index.js',
      'app://renderer/%2e%2e/main/index.js',
      'app://renderer/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://renderer/..%5c..%5cpackage.json',
      'app://renderer/a%00.html',
    ]) {
      const file = rendererFileFor(url, root);
      if (file !== null) expect(file.startsWith(root + '/'), `${url} -> ${file}`).toBe(true);
    }
    // An encoded slash survives URL parsing as one segment; decoded it would climb out.
    expect(rendererFileFor('app://renderer/%2e%2e%2f%2e%2e%2fpackage.json', root)).toBeNull();
  });

  it('serves no other host or scheme', () => {
    expect(rendererFileFor('app://other/index.html', root)).toBeNull();
    expect(rendererFileFor('file:///app/out/renderer/index.html', root)).toBeNull();
    expect(rendererFileFor('app://renderer/%E0%A4%A', root)).toBeNull();
  });

  it('labels files with their type', () => {
    expect(mimeTypeOf('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeOf('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeOf('/x/a.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeOf('/x/a.bin')).toBe('application/octet-stream');
  });
});
