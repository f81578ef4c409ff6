import { counterAddress, type CandidateReserveResult, type CounterCheck, type ReserveOutcome, type ReservePlan } from '../../engine/caps/counter-store';

const OP_CODE = { reserve: 'r', read: 'd', absent: 'a' } as const;

/** RESERVE_LUA's arguments for a plan: its keys (already prefixed), the packed plan text, then the hash fields. */
export interface EncodedReservePlan {
  readonly keys: string[];
  readonly packed: string;
  readonly fields: string[];
}

/**
 * The plan text is mostly small integers (key and field indexes, check counts, cap limits): a
 * ten-candidate plan writes about 120 of them, and looking their text up here costs about half
 * of converting each number.
 */
const SMALL_INT_TEXT = Array.from({ length: 1024 }, (_, i) => String(i));
const intText = (n: number): string => (n >= 0 && n < SMALL_INT_TEXT.length && Number.isInteger(n) ? SMALL_INT_TEXT[n] : String(n));

/**
 * Encodes a plan for RESERVE_LUA. `decided`, when given, names checks settled outside the script
 * (Redis Cluster: counters in another slot): true passes, false fails, undefined is the script's.
 *
 * Candidates of one decision share a few keys (the listener's bucket hashes, the same string
 * objects) and fields (a campaign's field sits in its hour and its day hash; the slot's ad-load
 * field is in every candidate), so each key, with its TTL, and each field is sent once and checks
 * refer to them by index: a plan of ten candidates is well under half the text of one that spells
 * every field and TTL out per check, and encoding that text was the largest part of a
 * decision's Redis cost on the client. Fields go as arguments of their own, so the script never
 * parses the ones of candidates it does not reach.
 */
export function encodeReservePlan(plan: ReservePlan, prefixed: (key: string) => string, decided?: (check: CounterCheck) => boolean | undefined): EncodedReservePlan {
  const keyIndex = new Map<string, number>();
  const keys: string[] = [];
  const keyTtlS: number[] = [];
  const fieldIndex = new Map<string, number>();
  const fields: string[] = [];
  let body = '';
  for (const candidate of plan.candidates) {
    body += ' ' + intText(candidate.checks.length);
    for (const check of candidate.checks) {
      const settled = decided?.(check);
      if (settled !== undefined) {
        body += settled ? ' 0 p 0 0' : ' 0 f 0 0';
        continue;
      }
      let k = keyIndex.get(check.key);
      if (k === undefined) {
        keys.push(prefixed(check.key));
        keyTtlS.push(0);
        k = keys.length;
        keyIndex.set(check.key, k);
      }
      // A key's TTL is the longest any of its reserve checks asks for: a bucket hash holds the
      // counters of one bucket, so its checks agree up to the zones' ends of day.
      if (check.op === 'reserve') keyTtlS[k - 1] = Math.max(keyTtlS[k - 1], Math.ceil(check.ttlS));
      let f = 0;
      if (check.field !== undefined) {
        f = fieldIndex.get(check.field) ?? 0;
        if (f === 0) {
          fields.push(check.field);
          f = fields.length;
          fieldIndex.set(check.field, f);
        }
      }
      body += ' ' + intText(k) + ' ' + OP_CODE[check.op] + ' ' + intText(check.limit) + ' ' + intText(f);
    }
  }
  return { keys, packed: `${plan.want} ${plan.candidates.length} ${keyTtlS.join(' ')}${body}`, fields };
}

/** RESERVE_LUA's answer (one code per candidate: -1 chosen, 0 not evaluated, j rejected at its j-th check) as an outcome. */
export function decodeReserveCodes(plan: ReservePlan, codes: readonly (number | string)[]): ReserveOutcome {
  const results: CandidateReserveResult[] = [];
  const chosenIds: string[] = [];
  plan.candidates.forEach((candidate, i) => {
    const code = Number(codes[i]);
    if (code === -1) {
      results.push({ id: candidate.id, status: 'chosen' });
      chosenIds.push(candidate.id);
    } else if (code === 0) {
      results.push({ id: candidate.id, status: 'not_evaluated' });
    } else {
      const check = candidate.checks[code - 1];
      results.push({ id: candidate.id, status: 'rejected', reason: check.reason, key: counterAddress(check) });
    }
  });
  return { results, chosenIds };
}
