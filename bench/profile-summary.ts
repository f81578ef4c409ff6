/**
 * npm run bench:profile-summary -- <file.cpuprofile> [seconds]
 * Where a process's time went in the last `seconds` (default 18) of a V8 CPU profile, minus the final
 * second (shutdown): the shares the README quotes for the decision path. Write the profile with
 * `BENCH_CPU_PROFILE=dir npm run bench:decision` (the API's is the larger file); the MusicBoss load
 * is the last thing that profile records. A share is inclusive: time in the function and in what it calls.
 * Prints last: profile-summary: decide=<%> ranking=<%> … idle=<%>
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** [key, label, function name, a part of its file path]; a sample counts once per part. */
const PARTS: readonly [string, string, string, string][] = [
  ['decide', 'decide() in the decision service', 'decide', 'delivery/decision.service'],
  ['ranking', '  ranking and counter checks', 'rankCandidates', 'policy/rank-candidates'],
  ['redis_client', '  the Redis reserve call (client side)', 'reserve', 'counters/failover-counter-store'],
  ['signing', '  signing tracking links', 'signTrackingTokens', 'tracking/tracking-token'],
  ['profile', '  the listener profile as features', 'profile', 'audiences/listener-index.service'],
  ['selection', '  branch selection', 'selectBranch', 'policy/select-branch'],
  ['finalize', '  finalizing', 'finalizeDecision', 'policy/finalize-decision'],
  ['log_append', '  decision-log append', 'append', 'delivery/decision-log'],
  ['live_stats', '  live stats', 'recordDecision', 'feedback/live-stats.recorder'],
  ['log_enqueue', 'decision-log enqueue (timer)', 'flush', 'delivery/decision-log'],
  ['respond', 'writing responses', 'Reply.send', 'fastify/lib/reply'],
  ['writev', '  the writev syscall', 'writev', ''],
  ['body_parse', 'body parsing', 'runBodyParser', 'platform-fastify/adapters/fastify-adapter'],
  ['key_guard', 'the API key guard', 'canActivate', 'auth/api-key.guard'],
  ['gc', 'garbage collection', '(garbage collector)', ''],
  ['idle', 'idle', '(idle)', ''],
];

function main(): void {
  const [file, secondsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [seconds]');
  const windowS = Number(secondsArg ?? 18);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let t = profile.startTime;
  const times = profile.timeDeltas.map((d) => (t += d));
  const endUs = times[times.length - 1] - 1e6;
  const fromUs = endUs - windowS * 1e6;
  const counts = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (times[i] < fromUs || times[i] > endUs) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
  });
  const matches = (node: ProfileNode, [, , name, path]: readonly [string, string, string, string]) => node.callFrame.functionName === name && node.callFrame.url.includes(path);
  const shares = PARTS.map(() => 0);
  for (const [id, n] of counts) {
    PARTS.forEach((part, k) => {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        if (matches(byId.get(cur)!, part)) {
          shares[k] += n;
          return;
        }
      }
    });
  }
  process.stdout.write(`# ${total} samples over ${windowS} s of ${file}\n`);
  PARTS.forEach(([, label], k) => process.stdout.write(`${((100 * shares[k]) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${label}\n`));
  process.stdout.write(`profile-summary: ${PARTS.map(([key], k) => `${key}=${((100 * shares[k]) / Math.max(1, total)).toFixed(1)}`).join(' ')}\n`);
}

main();
