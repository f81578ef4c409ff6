import { Logger } from '@nestjs/common';
import { RoaringBitmap32 } from 'roaring';
import { serializeBitmap } from '../../engine/targeting/bitmap-ops';
import type { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { AudienceMembershipService } from './audience-membership.service';
import type { ListenerIndexService } from './listener-index.service';
import type { PackageRepository } from './package.repository';

/** In-memory stand-ins for the repository, the profile index and the bus (fakes, not mocks). */
function fakes() {
  const rows = new Map<string, { version: number; bitmap: Buffer | null }>();
  let configVersion = 1;
  const fetched: string[][] = [];
  const repository = {
    async versionsWithConfig() {
      return { configVersion, packages: [...rows].map(([key, r]) => ({ key, version: r.version })) };
    },
    async bitmaps(keys: readonly string[]) {
      fetched.push([...keys]);
      return keys.filter((k) => rows.has(k)).map((k) => ({ key: k, ...rows.get(k)! }));
    },
  };
  const users = new Map([
    ['alice', 0],
    ['bob', 1],
    ['carol', 2],
  ]);
  const listeners = { refresh: async () => undefined, userIdx: (key: string) => users.get(key) };
  const bus = { onChange: () => () => undefined };
  const service = new AudienceMembershipService(repository as unknown as PackageRepository, listeners as unknown as ListenerIndexService, bus as unknown as ConfigChangeBus, 'api');
  const write = (key: string, members: number[] | null) => {
    const previous = rows.get(key)?.version ?? 0;
    rows.set(key, members === null ? { version: 0, bitmap: null } : { version: previous + 1, bitmap: serializeBitmap(new RoaringBitmap32(members)) });
    configVersion++;
  };
  return { service, rows, write, fetched, users };
}

describe('AudienceMembershipService', () => {
  // The unreadable-bitmap case logs an error by design; keep test output clean.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it.each<[string, string, string, boolean]>([
    ['member', 'vip', 'alice', true],
    ['not a member', 'vip', 'bob', false],
    ['unknown user', 'vip', 'dave', false],
    ['unknown package', 'nope', 'alice', false],
    ['package created but never written', 'fresh', 'alice', false],
  ])('isMember: %s', async (_label, pkg, user, expected) => {
    const { service, write } = fakes();
    write('vip', [0, 2]);
    write('fresh', null);
    await service.reload();
    expect(service.current().isMember(pkg, user)).toBe(expected);
  });

  it('fetches only packages whose version moved, keeps the rest, and swaps a new immutable snapshot', async () => {
    const { service, write, fetched } = fakes();
    write('a', [0]);
    write('b', [1]);
    await service.reload();
    const first = service.current();
    expect(fetched).toEqual([['a', 'b']]);
    expect(first.packageVersions).toEqual(new Map([['a', 1], ['b', 1]]));

    await service.reload();
    expect(service.current()).toBe(first);
    expect(fetched).toHaveLength(1);

    write('b', [2]);
    await service.reload();
    const second = service.current();
    expect(fetched[1]).toEqual(['b']);
    expect(second).not.toBe(first);
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.bitmapOf('a')).toBe(first.bitmapOf('a'));
    expect([second.isMember('b', 'bob'), second.isMember('b', 'carol')]).toEqual([false, true]);
    expect([first.isMember('b', 'bob'), first.isMember('b', 'carol')]).toEqual([true, false]);
  });

  it('drops deleted packages and keeps the previous version when a stored bitmap is unreadable', async () => {
    const { service, write, rows } = fakes();
    write('a', [0]);
    write('b', [1]);
    await service.reload();
    rows.delete('a');
    rows.set('b', { version: 2, bitmap: Buffer.from('not a bitmap') });
    await service.reload();
    const snapshot = service.current();
    expect(snapshot.hasPackage('a')).toBe(false);
    expect(snapshot.packageVersions.get('b')).toBe(1);
    expect(snapshot.isMember('b', 'bob')).toBe(true);
  });

  it('coalesces concurrent reloads into at most one extra pass', async () => {
    const { service, write, fetched } = fakes();
    write('a', [0]);
    await Promise.all([service.reload(), service.reload(), service.reload(), service.reload()]);
    expect(fetched).toEqual([['a']]);
    expect(service.current().isMember('a', 'alice')).toBe(true);
  });
});
