import type { TrackingClaims } from '../tracking/tracking-token';
import { attributeLabel, claimsProblem, dayPartition, occurredAt } from './events';

const W = 30 * 60_000;

describe('attributeLabel', () => {
  it.each([
    ['nothing', null, null, 0, { kind: 'discard' }],
    ['impression, window open', 1000, null, 1000 + W - 1, { kind: 'wait', dueAtMs: 1000 + W }],
    ['impression, window closed exactly', 1000, null, 1000 + W, { kind: 'label', label: 0 }],
    ['click 1 ms after impression', 1000, 1001, 1001, { kind: 'label', label: 1 }],
    ['click exactly at window end', 1000, 1000 + W, 1000 + W, { kind: 'label', label: 1 }],
    ['click 1 ms after window, window closed', 1000, 1001 + W, 1001 + W, { kind: 'label', label: 0 }],
    ['click reported before impression, within window', 5000, 4000, 5000, { kind: 'label', label: 1 }],
    ['click way before impression, window open', 5000 + W + 1, 4000, 5000 + W + 1, { kind: 'wait', dueAtMs: 5000 + 2 * W + 1 }],
    ['click without impression, window open', null, 2000, 2000, { kind: 'wait', dueAtMs: 2000 + W }],
    ['click without impression, window closed', null, 2000, 2000 + W, { kind: 'discard' }],
  ])('%s', (_name, impression, click, now, expected) => {
    expect(attributeLabel(impression, click, W, now)).toEqual(expected);
  });
});

describe('occurredAt', () => {
  it.each([
    ['no claim: received', undefined, 100, 500, 500],
    ['claim inside', 300, 100, 500, 300],
    ['claim in the future: received', 900, 100, 500, 500],
    ['claim before issue: issued', 50, 100, 500, 100],
    ['fraction floored', 300.7, 100, 500, 300],
    ['NaN: received', Number.NaN, 100, 500, 500],
  ])('%s', (_name, at, issued, received, expected) => expect(occurredAt(at, issued, received)).toBe(expected));
});

describe('claimsProblem', () => {
  const good: TrackingClaims = { d: '7d3c2f4e-2a1b-4c5d-8e9f-0a1b2c3d4e5f', c: 'c', cr: 'k', s: 's', b: 'b', a: null, p: 0.5, u: 'u1', pf: 'ios', i: 1, e: 2 };
  it.each([
    ['valid', {}, null],
    ['bad uuid', { d: 'nope' }, 'decision id is not a uuid'],
    ['propensity above 1', { p: 1.5 }, 'propensity is not in [0, 1]'],
    ['empty user', { u: '' }, 'user is missing or too long'],
    ['arm number', { a: 3 as unknown as string }, 'arm is not a string or null'],
    ['expiry NaN', { e: Number.NaN }, 'issued-at or expiry is not a number'],
  ])('%s', (_name, patch, expected) => expect(claimsProblem({ ...good, ...patch })).toBe(expected));
});

describe('dayPartition', () => {
  it.each([
    [Date.UTC(2026, 10, 28, 0, 0, 0), Date.UTC(2026, 10, 28), '20261128'],
    [Date.UTC(2026, 10, 28, 23, 59, 59, 999), Date.UTC(2026, 10, 28), '20261128'],
    [Date.UTC(2026, 11, 31, 12), Date.UTC(2026, 11, 31), '20261231'],
  ])('%d', (t, start, suffix) => expect(dayPartition(t)).toEqual({ startMs: start, endMs: start + 86_400_000, suffix }));
});
