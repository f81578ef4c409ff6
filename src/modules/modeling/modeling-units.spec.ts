import { encoderFor } from './gbdt-model-loader';
import { stageFlow } from './modeling.service';
import { escapeHtml, lineChart } from './report-html';

describe('stageFlow', () => {
  it('chains the seven stages so that assemble is the innermost child and report the root', () => {
    const order: string[] = [];
    let node: ReturnType<typeof stageFlow> | undefined = stageFlow('run-1', 2);
    while (node) {
      order.push(node.payload.stage);
      expect(node.payload).toMatchObject({ runId: 'run-1', generation: 2 });
      expect(node.children?.length ?? 0).toBeLessThanOrEqual(1);
      node = node.children?.[0] as ReturnType<typeof stageFlow> | undefined;
    }
    expect(order.reverse()).toEqual(['assemble', 'transform', 'criteria', 'model', 'export', 'register', 'report']);
  });
});

describe('encoderFor (imported models: features looked up by name)', () => {
  const row = { atMs: Date.UTC(2026, 0, 1, 7), platform: 'ios', profile: { monthlyMinutes: 120, gender: 'female' }, context: { position: 2 } };
  it.each([
    [['user.monthlyMinutes', 'hour', 'ctx.position'], [120, 7, 2]],
    [['user.gender', 'user.tenureDays'], [NaN, NaN]], // non-numeric and absent values are missing
  ])('%j → %j', (features, expected) => {
    expect(Array.from(encoderFor({ features }, features.length)(row))).toEqual(expected);
  });
});

describe('report HTML', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`a"b'c&d`, 'a&quot;b&#39;c&amp;d'],
  ])('escapes %s', (raw, escaped) => {
    expect(escapeHtml(raw)).toBe(escaped);
  });

  it('draws a line chart as an SVG polyline scaled into the plot area', () => {
    const svg = lineChart('t', [{ name: 's', color: '#000', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }], { x: 'x', y: 'y', xMin: 0, xMax: 1, yMin: 0, yMax: 1 });
    // plot area: x from 48 to 408, y from 224 (bottom) to 14 (top) in a 420×260 viewBox
    expect(svg).toContain('points="48.0,224.0 408.0,14.0"');
  });
});
