import { createRng } from '../util/rng';
import { ipsEstimate, IpsLog } from './ips';

// Hand-worked example: weights 2, 2, 0, 2; weighted rewards 2, 0, 0, 2.
const logs: IpsLog[] = [
  { loggedProbability: 0.5, reward: 1, targetProbability: 1 },
  { loggedProbability: 0.25, reward: 0, targetProbability: 0.5 },
  { loggedProbability: 0.5, reward: 1, targetProbability: 0 },
  { loggedProbability: 0.2, reward: 1, targetProbability: 0.4 },
];

describe('ipsEstimate', () => {
  it.each([
    // ips = 4/4; snips = 4/6; sd of [2,0,0,2] = √(4/3), /√4; ESS = 6²/12.
    ['no cap', Infinity, { ips: 1, snips: 2 / 3, n: 4, stdErr: Math.sqrt(4 / 3) / 2, clippedCount: 0, effectiveSampleSize: 3 }],
    // weights 1.5, 1.5, 0, 1.5 → [1.5, 0, 0, 1.5]: ips 0.75, snips 3/4.5, sd √(4·0.5625/3)/2, ESS 4.5²/6.75.
    ['cap 1.5', 1.5, { ips: 0.75, snips: 2 / 3, n: 4, stdErr: Math.sqrt(0.75) / 2, clippedCount: 3, effectiveSampleSize: 3 }],
  ])('hand-worked example, %s', (_name, cap, expected) => {
    const result = ipsEstimate(logs, cap);
    if (result.kind !== 'ok') throw new Error(result.kind);
    for (const [key, value] of Object.entries(expected)) expect(result[key as keyof typeof expected]).toBeCloseTo(value, 12);
  });

  it.each([
    ['zero logged probability', [{ loggedProbability: 0, reward: 1, targetProbability: 1 }], 'loggedProbability must be in (0, 1]'],
    ['target above one', [{ loggedProbability: 0.5, reward: 1, targetProbability: 1.5 }], 'targetProbability must be in [0, 1]'],
    ['non-finite reward', [{ loggedProbability: 0.5, reward: NaN, targetProbability: 1 }], 'reward must be finite'],
  ])('rejects %s', (_name, given, reason) => {
    expect(ipsEstimate(given)).toEqual({ kind: 'invalid', reason, index: 0 });
  });

  it.each([
    ['empty logs', [], Infinity, { kind: 'empty' }],
    ['a non-positive cap', logs, 0, { kind: 'invalid', reason: 'weightCap must be > 0', index: -1 }],
  ])('%s', (_name, given, cap, expected) => {
    expect(ipsEstimate(given, cap)).toEqual(expected);
  });

  it('snips is NaN when the target never takes the logged actions', () => {
    const result = ipsEstimate([{ loggedProbability: 0.5, reward: 1, targetProbability: 0 }]);
    expect(result).toMatchObject({ kind: 'ok', ips: 0, n: 1 });
    if (result.kind === 'ok') {
      expect(result.snips).toBeNaN();
      expect(result.stdErr).toBeNaN();
    }
  });

  // Logging policy: uniform over 4 arms with reward rates below; target: always arm 2 (true value 0.3).
  it.each([1, 2, 3])('recovers a deterministic target policy from uniform logs (seed %d)', (seed) => {
    const rates = [0.1, 0.2, 0.3, 0.05];
    const rng = createRng(seed);
    const simulated: IpsLog[] = [];
    for (let i = 0; i < 40_000; i++) {
      const arm = Math.floor(rng.next() * 4);
      simulated.push({ loggedProbability: 0.25, reward: rng.next() < rates[arm] ? 1 : 0, targetProbability: arm === 2 ? 1 : 0 });
    }
    const result = ipsEstimate(simulated);
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(Math.abs(result.ips - 0.3)).toBeLessThan(4 * result.stdErr);
    expect(Math.abs(result.snips - 0.3)).toBeLessThan(0.02);
    expect(result.stdErr).toBeGreaterThan(0.005);
    expect(result.stdErr).toBeLessThan(0.02);
  });
});
