// Where the time goes: the top functions by self time of a V8 .cpuprofile (from --cpu-prof), with
// their share of the sampled time. Idle and garbage collection show up as their own entries.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  function: string;
  location: string;
  selfPercent: number;
}

export function topSelfTime(profile: CpuProfile, limit = 20): HotFunction[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; location: string; weight: number }>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  const add = (node: ProfileNode, weight: number): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const location = url
      ? `${url.replace(/^file:\/\/.*?\/(node_modules|services)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}|${location}`;
    const entry = self.get(key) ?? { fn: functionName || '(anonymous)', location, weight: 0 };
    entry.weight += weight;
    self.set(key, entry);
    total += weight;
  };
  if (samples.length > 0) {
    for (let i = 0; i < samples.length; i++) {
      const node = byId.get(samples[i]!);
      if (node) add(node, Math.max(0, deltas[i + 1] ?? deltas[i] ?? 1));
    }
  } else for (const node of profile.nodes) add(node, node.hitCount ?? 0);
  return [...self.values()]
    .sort((a, b) => b.weight - a.weight)
    .slice(0, limit)
    .map((e) => ({
      function: e.fn,
      location: e.location,
      selfPercent: total > 0 ? (100 * e.weight) / total : 0,
    }));
}

export function summarizeProfileFile(path: string, limit = 20): HotFunction[] {
  return topSelfTime(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, limit);
}
