import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's system interpreter carries python3-sklearn/xgboost; the python3 first on PATH may not. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** True when the system python can import every listed module. */
export function hasPythonModules(modules: string[]): boolean {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  return probe.status === 0;
}

export type PythonResult = { kind: 'ok'; stdout: string } | { kind: 'failed'; message: string };

/** Runs an inline script with the system python; args reach it as sys.argv[1:]. */
export function runPython(script: string, args: string[], timeoutMs = 10 * 60 * 1000): PythonResult {
  const run = spawnSync(SYSTEM_PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) return { kind: 'failed', message: run.error.message };
  if (run.status !== 0) return { kind: 'failed', message: `exit ${run.status}: ${run.stderr.slice(-2000)}` };
  return { kind: 'ok', stdout: run.stdout };
}
