// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and adds up self time per
// function and per source area (our relay code, each package, V8/GC), so the report
// says where the relay's CPU goes without opening DevTools.
import { readFileSync } from 'node:fs';
import { ROOT } from './server-process';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: SelfTime[];
  areas: SelfTime[];
}

/** Where a frame's code lives: a package, a file of ours, node's own code, or V8. */
function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const local = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
  return local.split('/').slice(0, local.startsWith('relay/') ? 2 : 1).join('/');
}

function place(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, '');
  const name = f.functionName || '(anonymous)';
  if (!file) return name;
  // tsx runs our .ts files as transformed code, so their line numbers say nothing
  return file.endsWith('.ts') ? `${name} ${file}` : `${name} ${file}:${f.lineNumber + 1}`;
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; charge it to that sample's node
  prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    total += us;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    fns.set(place(f), (fns.get(place(f)) ?? 0) + us);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return { totalMs: total / 1000, idleMs: idle / 1000, functions: rank(fns), areas: rank(areas) };
}
