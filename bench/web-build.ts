// The web client the relay serves for the renderer part: dist/web when it has been
// built (`npm run build:web`), otherwise a fresh build into the bench's temp dir, so
// the bench never overwrites a shared build output.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server-process';

export async function webDir(tmp: string): Promise<{ dir: string; built: boolean } | { error: string }> {
  const shared = join(ROOT, 'dist/web');
  if (existsSync(join(shared, 'index.html'))) return { dir: shared, built: false };
  const out = join(tmp, 'web');
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  let log = '';
  const code = await new Promise<number | null>((res) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', 'vite.web.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      res(c);
    });
  });
  if (code !== 0 || !existsSync(join(out, 'index.html'))) return { error: `building the web client failed (${code}): ${log.trim().split('\n').slice(-3).join(' | ')}` };
  return { dir: out, built: true };
}
