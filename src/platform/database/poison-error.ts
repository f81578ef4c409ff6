/**
 * A data error (bad value, constraint) cannot succeed on retry; anything else (connection, lock,
 * permission) may. Job handlers that write batches use it to isolate the rows that can never be stored.
 */
export function isPoisonError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('22') || code.startsWith('23');
  return error instanceof TypeError || error instanceof RangeError;
}
