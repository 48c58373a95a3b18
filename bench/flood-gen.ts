// The flood of bench/flood.ts, in a process of its own so that it does not share an
// event loop with the ack measurement: `concurrency` loops on loopback, each sending
// sign-ins and sign-ups with random usernames and health checks, until `seconds` pass.
// Prints one JSON line: how many requests ended with which status.
export {};

const [url, secondsArg, concurrencyArg] = process.argv.slice(2);
if (!url) throw new Error('usage: flood-gen URL SECONDS CONCURRENCY');
const until = Date.now() + Number(secondsArg ?? 10) * 1000;
const concurrency = Number(concurrencyArg ?? 64);
const statuses: Record<string, number> = {};

const random = () => `f${Math.random().toString(36).slice(2, 12)}`;

async function one(i: number): Promise<void> {
  const kind = i % 3;
  const init: RequestInit =
    kind === 2
      ? { method: 'GET' }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: random(), password: 'flood-password' }) };
  const path = kind === 0 ? '/api/login' : kind === 1 ? '/api/register' : '/healthz';
  try {
    const res = await fetch(`${url}${path}`, init);
    await res.arrayBuffer();
    const key = `${path} ${res.status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  } catch {
    statuses[`${path} error`] = (statuses[`${path} error`] ?? 0) + 1;
  }
}

async function loop(start: number): Promise<void> {
  for (let i = start; Date.now() < until; i++) await one(i);
}

await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k)));
process.stdout.write(`${JSON.stringify(statuses)}\n`);
