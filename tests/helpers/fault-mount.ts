// A small tmpfs to run the relay's DATA_DIR on, so a full disk can be produced on
// demand. Mounting needs root (as on this machine and CI); when it fails the caller
// gets the reason to print and skips.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Bytes still free for an unprivileged writer. */
  free(): number;
  /** Writes a filler file (`name`, default "filler") that leaves about `leaveBytes` free; returns its path. */
  fill(leaveBytes: number, name?: string): string;
  unmount(): void;
}

export function mountTmpfs(size: string): SmallDisk | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'relay-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmdirSync(dir);
    const err = e as { stderr?: Buffer; message: string };
    return { reason: `cannot mount a tmpfs (${err.stderr?.toString().trim() || err.message}); the full-disk test needs root` };
  }
  const free = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leaveBytes, name = 'filler') {
      const path = join(dir, name);
      writeFileSync(path, Buffer.alloc(Math.max(0, free() - leaveBytes)));
      return path;
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        // a process still holding a file open: detach now, freed when it lets go
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      rmdirSync(dir);
    },
  };
}
