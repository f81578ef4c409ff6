/**
 * CPU seconds of processes over a stretch of a run, from /proc (Linux), so a bench can say which
 * process spent the machine's cores while it loaded MusicBoss. Elsewhere the readings are null.
 */
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100;

/** User + system CPU seconds of a process so far, or null when /proc cannot say. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

/** Starts measuring named processes; the returned function gives each one's share of one core since then. */
export function measureCpu(pids: Readonly<Record<string, number>>): () => Record<string, number | null> {
  const startedMs = Date.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  return () => {
    const elapsedS = (Date.now() - startedMs) / 1000;
    return Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => {
        const now = cpuSecondsOf(pid);
        const then = before[name];
        return [name, now === null || then === null ? null : (now - then) / elapsedS];
      }),
    );
  };
}
