/**
 * CPU seconds of processes over a stretch of a run, from /proc (Linux), so a bench can say which
 * process spent the machine's cores while it loaded MusicBoss. Elsewhere the readings are null.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100;

/** A process's command name and user + system CPU seconds so far, or null when /proc cannot say (or it exited). */
function readStat(pid: number | string): { command: string; cpuSeconds: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: it runs from the first '(' to the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { command: stat.slice(stat.indexOf('(') + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S };
}

/** User + system CPU seconds of a process so far, or null when /proc cannot say. */
export function cpuSecondsOf(pid: number): number | null {
  return readStat(pid)?.cpuSeconds ?? null;
}

/**
 * Starts measuring named processes (a pid, or a reader of CPU seconds such as a sum over a command's
 * processes); the returned function gives each one's share of one core since then.
 */
export function measureCpu(sources: Readonly<Record<string, number | (() => number | null)>>): () => Record<string, number | null> {
  const read = (source: number | (() => number | null)) => (typeof source === 'number' ? cpuSecondsOf(source) : source());
  const startedMs = Date.now();
  const before = Object.fromEntries(Object.entries(sources).map(([name, source]) => [name, read(source)]));
  return () => {
    const elapsedS = (Date.now() - startedMs) / 1000;
    return Object.fromEntries(
      Object.entries(sources).map(([name, source]) => {
        const now = read(source);
        const then = before[name];
        return [name, now === null || then === null ? null : (now - then) / elapsedS];
      }),
    );
  };
}

/**
 * Starts timing a process's main thread from /proc/<pid>/schedstat; the returned function gives the
 * shares of the wall time since then that it ran, and that it was runnable but waiting for a core
 * (preempted by other processes): a loaded server's CPU profile counts the second as idle. Null
 * where /proc cannot say.
 */
export function measureSchedule(pid: number): () => { running: number; waiting: number } | null {
  const read = (): [number, number] | null => {
    try {
      const [runNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
      return Number.isFinite(runNs) && Number.isFinite(waitNs) ? [runNs, waitNs] : null;
    } catch {
      return null;
    }
  };
  const startedNs = process.hrtime.bigint();
  const before = read();
  return () => {
    const after = read();
    const elapsedNs = Number(process.hrtime.bigint() - startedNs);
    if (before === null || after === null || elapsedNs <= 0) return null;
    return { running: (after[0] - before[0]) / elapsedNs, waiting: (after[1] - before[1]) / elapsedNs };
  };
}

/** User + system CPU seconds of each process whose command name is `command` (e.g. PostgreSQL's backends), by pid. */
function cpuSecondsByPid(command: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry); // null: exited since the listing
    if (stat?.command === command) out.set(Number(entry), stat.cpuSeconds);
  }
  return out;
}

/**
 * A reader for measureCpu of every process named `command`: CPU seconds since the first read,
 * summed over the processes alive at each read (one that exits in between takes its time with it,
 * so the sum never runs backwards). Null where /proc cannot say.
 */
export function commandCpuSeconds(command: string): () => number | null {
  let baseline: Map<number, number> | null = null;
  return () => {
    try {
      const now = cpuSecondsByPid(command);
      if (baseline === null) {
        baseline = now;
        return 0;
      }
      let total = 0;
      for (const [pid, seconds] of now) total += seconds - (baseline.get(pid) ?? 0);
      return total;
    } catch {
      return null;
    }
  };
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busyS: number; totalS: number; cores: number } | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const all = lines[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = all[3] + (all[4] ?? 0); // idle + iowait
    const totalTicks = all.slice(0, 8).reduce((sum, v) => sum + v, 0);
    const cores = lines.filter((line) => /^cpu\d+\s/.test(line)).length;
    return { busyS: (totalTicks - idle) / CLOCK_TICKS_PER_S, totalS: totalTicks / CLOCK_TICKS_PER_S, cores };
  } catch {
    return null;
  }
}
