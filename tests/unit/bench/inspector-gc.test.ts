// The bench reads idle memory after a full GC that it asks for through the server's
// inspector: check that on a real child process holding garbage.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { collectGarbage, inspectorUrl } from '../../../bench/inspector-gc';

// Makes ~100 MB of objects, drops them, then answers each line on stdin with heapUsed.
const CHILD = `
let junk = Array.from({ length: 1_000_000 }, (_, i) => ({ i, s: 'x' + i }));
junk = null;
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => process.stdout.write(process.memoryUsage().heapUsed + '\\n'));
process.stdout.write('ready\\n');
`;

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

async function nextLine(c: ChildProcess): Promise<string> {
  const [buf] = (await once(c.stdout!, 'data')) as [Buffer];
  return buf.toString().trim();
}

describe('a full GC through the inspector', () => {
  it('finds the inspector URL in what Node prints', () => {
    expect(inspectorUrl('Debugger listening on ws://127.0.0.1:39411/6a1e2f3c-0b7d-4c55-9f00-1c2d3e4f5a6b\nFor help, see: https://nodejs.org/en/docs/inspector\n')).toBe(
      'ws://127.0.0.1:39411/6a1e2f3c-0b7d-4c55-9f00-1c2d3e4f5a6b',
    );
    expect(inspectorUrl('listening on http://127.0.0.1:3000\n')).toBeNull();
  });

  it('collects the garbage another process holds', async () => {
    const c = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    expect(await nextLine(c)).toBe('ready');
    await expect.poll(() => inspectorUrl(stderr), { timeout: 10_000 }).not.toBeNull();

    c.stdin!.write('heap\n');
    const before = Number(await nextLine(c));
    await collectGarbage(inspectorUrl(stderr)!);
    c.stdin!.write('heap\n');
    const after = Number(await nextLine(c));
    // a million dropped objects are tens of MB; what the process needs is a few
    expect(before - after).toBeGreaterThan(30 * 1024 * 1024);
  });

  it('gives up within its time limit when nothing answers', async () => {
    await expect(collectGarbage('ws://127.0.0.1:9/none', 2000)).rejects.toThrow();
  });
});
