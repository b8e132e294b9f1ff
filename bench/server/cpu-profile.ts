/**
 * Where a server's CPU time went, from a V8 .cpuprofile (node --cpu-prof): self time summed by
 * function and by where the code lives (this project's files, each package, Node itself, GC, idle).
 * `tsx bench/server/cpu-profile.ts <file.cpuprofile> [top]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function where(url: string, name: string): string {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)' || name === '(program)') return name.slice(1, -1);
  if (!url) return 'node/v8 (native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  const own = /\/src\/(.*)$/.exec(url);
  return own ? `src/${own[1]}` : url;
}

export function summarise(profile: Profile, top = 25): { byPlace: [string, number][]; byFunction: [string, number][]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const place = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    total += dt;
    const w = where(n.callFrame.url, n.callFrame.functionName);
    place.set(w, (place.get(w) ?? 0) + dt);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${w}:${n.callFrame.lineNumber + 1}`;
    fn.set(f, (fn.get(f) ?? 0) + dt);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { byPlace: sorted(place), byFunction: sorted(fn), totalMs: total };
}

const file = process.argv[2];
if (file && import.meta.url.endsWith(process.argv[1]?.split('/').pop() ?? '')) {
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25));
  const busy = s.totalMs - (s.byPlace.find(([p]) => p === 'idle')?.[1] ?? 0);
  console.log(`total ${s.totalMs.toFixed(0)} ms, busy ${busy.toFixed(0)} ms`);
  for (const [p, ms] of s.byPlace) console.log(`${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${p}`);
  console.log('');
  for (const [f, ms] of s.byFunction) console.log(`${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${f}`);
}
