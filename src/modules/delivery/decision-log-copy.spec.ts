import { DELIVERY_JOBS } from './jobs';
import type { DecisionLogRow } from './decision-log';
import { decodeDecisionLogLines, DECISION_LOG_COLUMNS, encodeDecisionLogLines } from './decision-log-copy';

const BASE: DecisionLogRow = {
  decisionId: '0b6c3d1e-1111-4222-8333-444455556666',
  createdAtMs: Date.UTC(2026, 11, 1, 17, 30, 0, 250),
  userId: 'u1',
  slotId: '11111111-1111-4111-8111-111111111111',
  platform: 'ios',
  campaignId: '22222222-2222-4222-8222-222222222222',
  creativeId: '33333333-3333-4333-8333-333333333333',
  branch: 'everyone by priority',
  method: 'priority',
  arm: null,
  armProbability: null,
  fallback: null,
  propensity: 1,
  score: null,
  position: 0,
  explored: false,
  configVersion: 42,
  modelVersion: null,
  context: { hour: 21 },
  features: null,
};

const column = (name: (typeof DECISION_LOG_COLUMNS)[number]) => DECISION_LOG_COLUMNS.indexOf(name);

describe('decision-log COPY lines', () => {
  it.each<[string, Partial<DecisionLogRow>, Partial<Record<(typeof DECISION_LOG_COLUMNS)[number], string | null>>]>([
    ['plain row', {}, { decision_id: BASE.decisionId, created_at: '2026-12-01T17:30:00.250Z', user_id: 'u1', arm: null, score: null, explored: 'f', config_version: '42', context: '{"hour":21}', features: null }],
    ['tab, newline, CR and backslash in text', { userId: 'a\tb\nc\rd\\e', branch: 'x\\ty' }, { user_id: 'a\tb\nc\rd\\e', branch: 'x\\ty' }],
    ['the text \\N is a value, not NULL', { userId: '\\N', arm: '\\N' }, { user_id: '\\N', arm: '\\N' }],
    ['JSON escapes keep their backslashes', { context: { note: 'say "hi"\n\ttab' } }, { context: '{"note":"say \\"hi\\"\\n\\ttab"}' }],
    ['model branch fields', { arm: 'ftrl-1', armProbability: 0.25, score: 0.0125, modelVersion: 'v7', fallback: null, explored: true, position: 2 }, { arm: 'ftrl-1', arm_probability: '0.25', score: '0.0125', model_version: 'v7', explored: 't', position: '2' }],
    ['non-finite numbers as float8 spells them', { score: Number.NaN, propensity: Number.POSITIVE_INFINITY }, { score: 'NaN', propensity: 'Infinity' }],
    ['features and a fallback reason', { features: { user: { region: 'east' }, context: { hour: 21 } }, fallback: 'model m\texceeded' }, { features: '{"user":{"region":"east"},"context":{"hour":21}}', fallback: 'model m\texceeded' }],
    ['CJK and emoji', { userId: 'u-🎵-歌', context: { mood: '🎸 é' } }, { user_id: 'u-🎵-歌', context: '{"mood":"🎸 é"}' }],
  ])('%s: one line that decodes to the same fields', (_, change, expected) => {
    const text = encodeDecisionLogLines([{ ...BASE, ...change }]);
    expect(decodeDecisionLogLines(text)).toHaveLength(1);
    // A raw tab or newline inside a field would split it: every line must have exactly 20 fields.
    expect(text.split('\n')).toHaveLength(2);
    expect(text.slice(0, -1).split('\t')).toHaveLength(DECISION_LOG_COLUMNS.length);
    const [fields] = decodeDecisionLogLines(text);
    for (const [name, value] of Object.entries(expected)) expect([name, fields[column(name as (typeof DECISION_LOG_COLUMNS)[number])]]).toEqual([name, value]);
  });

  it('encodes the rows of one decision in order, sharing their context and features', () => {
    const context = { hour: 1, genre: 'a\tb' };
    const features = { user: null, context };
    const rows = [0, 1, 2].map((position) => ({ ...BASE, decisionId: `${position}`.padStart(8, '0') + BASE.decisionId.slice(8), position, context, features }));
    const text = encodeDecisionLogLines(rows);
    expect(decodeDecisionLogLines(text)).toHaveLength(3);
    const decoded = decodeDecisionLogLines(text);
    expect(decoded.map((f) => [f[column('decision_id')], f[column('position')], f[column('context')], f[column('features')]])).toEqual(
      rows.map((r) => [r.decisionId, String(r.position), JSON.stringify(context), JSON.stringify(features)]),
    );
    expect(encodeDecisionLogLines([])).toBe('');
    expect(decodeDecisionLogLines('')).toEqual([]);
  });

  it('refuses a line with the wrong number of fields', () => {
    expect(() => decodeDecisionLogLines('a\tb\n')).toThrow(/2 fields, expected 20/);
  });

  it.each<[string, Parameters<typeof DELIVERY_JOBS['decisions.log']['dedupeKey'] & {}>[0], string]>([
    ['COPY batch: its first decision id', { copy: encodeDecisionLogLines([BASE, { ...BASE, decisionId: 'other' }]) }, BASE.decisionId],
    ['row batch from an older node', { rows: [BASE] }, BASE.decisionId],
    ['empty COPY batch', { copy: '' }, 'empty'],
    ['empty row batch', { rows: [] }, 'empty'],
  ])('job dedupe key, %s', (_, payload, key) => {
    expect(DELIVERY_JOBS['decisions.log'].dedupeKey!(payload)).toBe(key);
  });
});
