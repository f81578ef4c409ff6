import type { DecisionSnapshot } from '../../engine/policy/snapshot';
import { banditBranches, banditReward } from './bandit.service';
import { parseTargetPolicy } from './ips-evaluation.service';

describe('banditBranches', () => {
  it('lists only bandit branches with arms, keyed "<slotId>:<branch>"', () => {
    const snapshot = {
      policiesBySlotId: new Map([
        [
          's1',
          {
            slotId: 's1',
            branches: [
              { name: 'prio', method: 'priority', arms: null },
              { name: 'ab', method: 'bandit', arms: [{ modelId: 'ftrl-main', floor: 0.05 }, { modelId: 'random', floor: 0.1 }] },
              { name: 'empty', method: 'bandit', arms: [] },
            ],
          },
        ],
        ['s2', { slotId: 's2', branches: [{ name: 'm', method: 'model', modelId: 'ftrl-main', arms: null }] }],
      ]),
    } as unknown as DecisionSnapshot;
    expect(banditBranches(snapshot)).toEqual([
      { branchKey: 's1:ab', slotId: 's1', branch: 'ab', arms: [{ modelId: 'ftrl-main', floor: 0.05 }, { modelId: 'random', floor: 0.1 }] },
    ]);
  });
});

describe('parseTargetPolicy', () => {
  it.each([
    [{ kind: 'uniform' }, { kind: 'uniform' }],
    [{ kind: 'model', modelId: 'ftrl-main' }, { kind: 'model', modelId: 'ftrl-main' }],
    [{ kind: 'allocation', weights: { a: 1, b: 0 } }, { kind: 'allocation', weights: { a: 1, b: 0 } }],
  ])('accepts %j', (raw, expected) => {
    expect(parseTargetPolicy(raw)).toEqual(expected);
  });

  it.each([
    [{}],
    [{ kind: 'oracle' }],
    [{ kind: 'model' }],
    [{ kind: 'model', modelId: '' }],
    [{ kind: 'allocation' }],
    [{ kind: 'allocation', weights: [] }],
    [{ kind: 'allocation', weights: {} }],
    [{ kind: 'allocation', weights: { a: -1 } }],
    [{ kind: 'allocation', weights: { a: 0 } }],
    [{ kind: 'allocation', weights: { a: 'x' } }],
  ])('refuses %j with a 400', (raw) => {
    expect(() => parseTargetPolicy(raw as Record<string, unknown>)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('banditReward', () => {
  it.each([
    ['click goal, clicked', 1, 'clicks', false, 1],
    ['click goal, not clicked', 0, 'clicks', true, 0],
    ['no goal: the click', 1, null, false, 1],
    ['impressions goal: the click', 0, 'impressions', true, 0],
    ['conversion goal, converted without a click label', 0, 'conversions', true, 1],
    ['conversion goal, clicked but not converted', 1, 'conversions', false, 0],
  ] as const)('%s', (_name, label, goal, converted, expected) => {
    expect(banditReward(label, goal, converted)).toBe(expected);
  });
});
