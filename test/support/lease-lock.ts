/**
 * Ends the session holding a named lease's advisory lock (src/platform/database/leader-lease.ts), as
 * a dropped connection would; returns one result per session signalled. A one-key advisory lock
 * keeps the key's low 32 bits in objid.
 */
export function terminateLeaseLockSession(query: (sql: string, params: unknown[]) => Promise<{ ok: boolean }[]>, leaseName: string): Promise<{ ok: boolean }[]> {
  return query(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [leaseName],
  );
}
