/** The dependency graph of combination packages: key → its input package keys. */

/** A path start → … → start through combination inputs (depth-first), or null when start is on no cycle. */
export function findCycleThrough(start: string, inputs: ReadonlyMap<string, readonly string[]>): string[] | null {
  const path: string[] = [start];
  const visited = new Set<string>();
  const walk = (node: string): boolean => {
    for (const next of inputs.get(node) ?? []) {
      if (next === start) {
        path.push(next);
        return true;
      }
      if (visited.has(next)) continue;
      visited.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  return walk(start) ? path : null;
}

/** Affected packages ordered so every combination comes after its affected inputs (Kahn). */
export function topologicalOrder(affected: ReadonlySet<string>, inputs: ReadonlyMap<string, readonly string[]>): string[] {
  const pending = new Map<string, number>();
  for (const key of affected) pending.set(key, (inputs.get(key) ?? []).filter((i) => affected.has(i) && i !== key).length);
  const ready = [...affected].filter((k) => pending.get(k) === 0).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const key = ready.shift()!;
    order.push(key);
    for (const other of affected) {
      if (pending.get(other)! > 0 && (inputs.get(other) ?? []).includes(key)) {
        const left = pending.get(other)! - 1;
        pending.set(other, left);
        if (left === 0) ready.push(other);
      }
    }
  }
  return order;
}
