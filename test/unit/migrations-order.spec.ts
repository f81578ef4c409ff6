import { ALL_MIGRATIONS } from '../../migrations';

// TypeORM runs migrations sorted by the timestamp in their name; the list must agree with that
// order or a fresh database and an upgraded one end up built in different orders.
describe('migrations list', () => {
  it('is in timestamp order with unique timestamps', () => {
    const stamps = ALL_MIGRATIONS.map((m) => Number(/(\d{13})$/.exec(m.name)?.[1]));
    expect(stamps.every(Number.isFinite)).toBe(true);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
  });
});
