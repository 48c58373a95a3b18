// A full garbage collection in another Node process, through its inspector (the server
// is started with `--inspect=127.0.0.1:0`), so that an idle-memory reading counts what
// the process holds, not the garbage it has not yet collected. The servers under test
// need no code of their own for it. The inspector's HeapProfiler.collectGarbage runs
// V8's low-memory collection, which also shrinks the young generation: start-up and
// 500 handshakes fill it with up to 32 MB, resident until V8 happens to shrink it.
import { once } from 'node:events';
import WebSocket from 'ws';

/** The inspector's WebSocket URL, from the line Node prints to stderr when it starts. */
export function inspectorUrl(stderr: string): string | null {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(stderr)?.[1] ?? null;
}

/** Connects, asks for a full collection, waits for the answer (at most `timeoutMs`), disconnects. */
export async function collectGarbage(url: string, timeoutMs = 10_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const ws = new WebSocket(url);
  try {
    await once(ws, 'open', { signal });
    ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    for (;;) {
      const [data] = (await once(ws, 'message', { signal })) as [WebSocket.RawData];
      const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
      if (reply.id !== 1) continue; // an event, not the answer
      if (reply.error) throw new Error(`HeapProfiler.collectGarbage: ${reply.error.message}`);
      return;
    }
  } finally {
    ws.terminate();
  }
}
