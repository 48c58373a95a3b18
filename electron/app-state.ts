// What the desktop app remembers between runs, in userData/app-state.json: the main
// window's bounds, which chat windows were open (and for whom), whether the tray hint
// was shown, and Do not disturb. The file is the user's to break: anything that does
// not validate is ignored field by field (or whole, when it is not JSON), never a crash.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const MAX_WINDOW_SIDE = 100_000;
const MAX_OPEN_CHATS = 50;

const coordinate = z.number().int().min(-MAX_WINDOW_SIDE).max(MAX_WINDOW_SIDE);
const side = z.number().int().min(1).max(MAX_WINDOW_SIDE);

export const windowBoundsSchema = z.object({ x: coordinate, y: coordinate, width: side, height: side });
export type WindowBounds = z.infer<typeof windowBoundsSchema>;

const mainWindowSchema = z.object({ bounds: windowBoundsSchema, maximized: z.boolean() });
export type MainWindowState = z.infer<typeof mainWindowSchema>;

const openChatsSchema = z.object({
  userId: z.string().min(1).max(128),
  chatIds: z.array(z.string().min(1).max(128)).max(MAX_OPEN_CHATS),
});
export type OpenChats = z.infer<typeof openChatsSchema>;

// Each field on its own: one bad field costs only that field.
const appStateSchema = z.object({
  mainWindow: mainWindowSchema.optional().catch(undefined),
  openChats: openChatsSchema.optional().catch(undefined),
  trayHintShown: z.boolean().optional().catch(undefined),
  doNotDisturb: z.boolean().optional().catch(undefined),
});
export type AppState = z.infer<typeof appStateSchema>;

export const APP_STATE_FILE = 'app-state.json';

/** Reads what a file holds; anything unreadable or malformed gives an empty state. */
export function parseAppState(text: string): { state: AppState; problem: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { state: {}, problem: 'not JSON' };
  }
  const parsed = appStateSchema.safeParse(raw);
  if (!parsed.success) return { state: {}, problem: 'not an object' };
  return { state: stripUndefined(parsed.data), problem: null };
}

function stripUndefined(state: AppState): AppState {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as AppState;
}

export class AppStateFile {
  private state: AppState;
  private readonly path: string;

  constructor(userDataDir: string, private readonly log: (message: string) => void) {
    this.path = join(userDataDir, APP_STATE_FILE);
    this.state = this.read();
  }

  get(): Readonly<AppState> {
    return this.state;
  }

  update(patch: Partial<AppState>): void {
    this.state = stripUndefined({ ...this.state, ...patch });
    this.write();
  }

  private read(): AppState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return {}; // first run
    }
    const { state, problem } = parseAppState(text);
    if (problem) this.log(`ignoring ${APP_STATE_FILE}: ${problem}`);
    return state;
  }

  /** Whole file or nothing: a crash mid-write leaves the previous state. */
  private write(): void {
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, JSON.stringify(this.state, null, 2));
      renameSync(tmp, this.path);
    } catch (err) {
      this.log(`could not save ${APP_STATE_FILE}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
