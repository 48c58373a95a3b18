// `npm start`: fetch Electron's binary if it was never downloaded, build, start a
// local relay on the embedded store (unless RELAY_URL names one), then open the desktop
// app on it. Where no Electron binary can be had or run, say so in one line and leave
// the relay serving the web client. Ctrl-C stops everything.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { findElectronBinary, looksLikeBrokenElectron, type ElectronBinary } from '../electron/find-binary';
import { fetchElectron } from './electron-fetch';

const ROOT = resolve(import.meta.dirname, '..');
const STOP_TIMEOUT_MS = 10_000;
const RELAY_START_TIMEOUT_MS = 60_000;
/** About 110 MB; ten minutes is a slow line, not a stalled one. */
const DEFAULT_FETCH_TIMEOUT_S = 600;

const children = new Set<ChildProcess>();
let stopping = false;

function say(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

function run(command: string, args: string[]): void {
  const res = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (res.status !== 0) {
    say(`\`${[command, ...args].join(' ')}\` failed (exit ${res.status ?? res.signal}); not starting.`);
    process.exit(res.status ?? 1);
  }
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await waitForExit(child);
  clearTimeout(timer);
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    // Electron first (it holds a connection to the relay), then the relay.
    const list = [...children].reverse();
    for (const child of list) await stopChild(child);
  }
  process.exit(code);
}

/** Starts `npm run relay`'s entry directly and resolves with its URL once it listens. */
function startRelay(): Promise<string> {
  const env = {
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? resolve(ROOT, 'data'),
    HOST: process.env.HOST ?? '127.0.0.1',
    PORT: process.env.PORT ?? '3000',
  };
  const relay = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'relay/main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(relay);
  relay.stderr.pipe(process.stderr);
  return new Promise((res, rej) => {
    let seen = '';
    let listening = false;
    const timer = setTimeout(() => rej(new Error(`the relay did not start within ${RELAY_START_TIMEOUT_MS / 1000} s`)), RELAY_START_TIMEOUT_MS);
    relay.stdout.on('data', (buf: Buffer) => {
      process.stdout.write(buf);
      if (listening) return;
      seen += buf.toString();
      const m = /relay listening on (http:\/\/\S+)/.exec(seen);
      if (m) {
        listening = true;
        clearTimeout(timer);
        res(m[1]!.replace(/\/+$/, ''));
      }
    });
    relay.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!stopping) {
        say(`the relay stopped (${code ?? signal}).`);
        rej(new Error('relay exited'));
        void shutdown(code ?? 1);
      }
    });
  });
}

function webClientUrl(relayUrl: string): string {
  return `${relayUrl.replace(/\/+$/, '')}/`;
}

function launchElectron(binary: string, relayUrl: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, RELAY_URL: relayUrl };
  // Set by some tools; it would make the binary a plain Node instead of the app.
  delete env.ELECTRON_RUN_AS_NODE;
  const electron = spawn(binary, [ROOT], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  children.add(electron);
  let errOutput = '';
  electron.stderr.on('data', (buf: Buffer) => {
    errOutput += buf.toString();
    process.stderr.write(buf);
  });
  electron.once('error', (err) => {
    children.delete(electron);
    say(`Electron could not be launched (${err.message}); the web client is at ${webClientUrl(relayUrl)}`);
  });
  electron.once('exit', (code) => {
    children.delete(electron);
    if (stopping) return;
    if (code !== 0 && looksLikeBrokenElectron(errOutput)) {
      say(`Electron cannot run on this machine; the web client is at ${webClientUrl(relayUrl)}`);
      return;
    }
    // The user quit the app: stop the relay we started too.
    void shutdown(code ?? 0);
  });
}

function fetchTimeoutMs(): number {
  const s = Number(process.env.ELECTRON_FETCH_TIMEOUT_SECONDS);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_FETCH_TIMEOUT_S) * 1000;
}

/** Electron 45's tooling asks for Node 22.12+; older ones often work, so only say so. */
function nodeTooOldForElectronTooling(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major < 22 || (major === 22 && minor < 12);
}

/** The binary, fetched first with Electron's own installer when it was never downloaded. */
async function electronBinary(): Promise<ElectronBinary> {
  const found = findElectronBinary();
  if (found.ok || !found.packageDir) return found;
  if (nodeTooOldForElectronTooling()) say(`Node ${process.versions.node}: Electron's tooling asks for Node 22.12 or newer; trying anyway.`);
  say('fetching Electron (first start only, about 110 MB; ELECTRON_MIRROR is honoured)…');
  const fetched = await fetchElectron({
    packageDir: found.packageDir,
    env: process.env,
    timeoutMs: fetchTimeoutMs(),
    progress: (line) => say(`fetching Electron: ${line}`),
  });
  if (!fetched.ok) return { ok: false, reason: `Electron could not be fetched: ${fetched.reason}` };
  return findElectronBinary();
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const electron = await electronBinary();
  run(npmCommand(), ['run', 'build:web']);
  if (electron.ok) run(npmCommand(), ['run', 'build']);

  const external = process.env.RELAY_URL;
  const relayUrl = external ? external.replace(/\/+$/, '') : await startRelay();
  if (external) say(`using the relay at ${relayUrl} (RELAY_URL)`);

  if (!electron.ok) {
    const tail = external ? '' : ' (Ctrl-C stops the relay)';
    say(`the desktop app cannot start here (${electron.reason}); open the web client at ${webClientUrl(relayUrl)}${tail}`);
    return;
  }
  launchElectron(electron.path, relayUrl);
}

main().catch((err: unknown) => {
  say(err instanceof Error ? err.message : String(err));
  void shutdown(1);
});
