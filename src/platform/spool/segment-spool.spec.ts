import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecords, SegmentSpool } from './segment-spool';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mb-spool-'));
  dirs.push(dir);
  return join(dir, 'spool'); // created by the first append
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Forwards everything, collecting the records in the order they were handed on. */
async function drain(spool: SegmentSpool, batchRecords = 100): Promise<unknown[]> {
  const out: unknown[] = [];
  await spool.forward(async (records) => void out.push(...records), batchRecords);
  return out;
}

/** A pid no process has any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('SegmentSpool', () => {
  it('keeps records on disk until forwarded, hands them on in order once, then deletes their segments', async () => {
    const dir = freshDir();
    const spool = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    expect(spool.isEmpty).toBe(true);
    expect(await spool.append([{ n: 1 }, { n: 2 }])).toBe('spooled');
    expect(await spool.append([{ n: 3, text: 'é ✓ "quoted"' }])).toBe('spooled');
    expect(spool.bytes).toBe(readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0));
    expect(await drain(spool)).toEqual([{ n: 1 }, { n: 2 }, { n: 3, text: 'é ✓ "quoted"' }]);
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.isEmpty).toBe(true);
    expect(await drain(spool)).toEqual([]);
    await spool.close();
  });

  it('lets concurrent appends share writes: each resolves once on disk, and each record is forwarded once', async () => {
    const spool = await SegmentSpool.open({ dir: freshDir(), maxBytes: 1 << 20 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append([{ i }])));
    expect(results.every((r) => r === 'spooled')).toBe(true);
    const forwarded = (await drain(spool, 7)) as { i: number }[];
    expect(forwarded.map((r) => r.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await spool.close();
  });

  it('refuses appends past maxBytes without writing them, and takes them again once forwarding made room', async () => {
    const dir = freshDir();
    const record = { pad: 'x'.repeat(1000) };
    const frameBytes = encodeRecords([record]).length;
    const spool = await SegmentSpool.open({ dir, maxBytes: 64 * 1024 });
    const fits = Math.floor((64 * 1024) / frameBytes);
    for (let i = 0; i < fits; i++) expect(await spool.append([record])).toBe('spooled');
    expect(await spool.append([record])).toBe('full');
    expect(spool.bytes).toBe(fits * frameBytes);
    expect((await drain(spool)).length).toBe(fits);
    expect(await spool.append([record])).toBe('spooled');
    await spool.close();
  });

  it('rotates segments past segmentBytes and forwards them oldest first', async () => {
    const dir = freshDir();
    const spool = await SegmentSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 200 });
    for (let i = 0; i < 30; i++) await spool.append([{ i, pad: 'y'.repeat(40) }]);
    expect(readdirSync(dir).length).toBeGreaterThan(5);
    expect(((await drain(spool)) as { i: number }[]).map((r) => r.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await spool.close();
  });

  it("forwards a crashed process's segments, open or half forwarded, up to a torn last write", async () => {
    const dir = freshDir();
    const first = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    await first.append([{ warm: true }]);
    await drain(first);
    const pid = deadPid();
    // a segment the dead process was writing, its last frame cut short by the crash
    const open = join(dir, `000000000000001-000000-${pid}-0badc0de.open`);
    writeFileSync(open, encodeRecords([{ a: 1 }, { a: 2 }]));
    appendFileSync(open, encodeRecords([{ a: 3 }]).subarray(0, 11));
    // a segment it had claimed to forward, and a sealed one
    writeFileSync(join(dir, `000000000000002-000000-${pid}-0badc0de.fwd-${pid}-0badc0de`), encodeRecords([{ b: 1 }]));
    writeFileSync(join(dir, `000000000000003-000000-${pid}-0badc0de.ready`), encodeRecords([{ c: 1 }]));
    // a CRC that does not match ends a segment too
    const corrupt = encodeRecords([{ d: 1 }, { d: 2 }]);
    corrupt[corrupt.length - 2] ^= 0xff;
    writeFileSync(join(dir, `000000000000004-000000-${pid}-0badc0de.ready`), corrupt);
    const next = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    expect(next.isEmpty).toBe(false);
    expect(await drain(next)).toEqual([{ a: 1 }, { a: 2 }, { b: 1 }, { c: 1 }, { d: 1 }]);
    expect(readdirSync(dir)).toEqual([]);
    await Promise.all([first.close(), next.close()]);
  });

  it("leaves a live writer's open segment alone; once it closes, another spool on the directory forwards it", async () => {
    const dir = freshDir();
    const writer = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    const other = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    await writer.append([{ from: 'writer' }]);
    expect(await drain(other)).toEqual([]);
    await writer.close();
    expect(await drain(other)).toEqual([{ from: 'writer' }]);
    await other.close();
  });

  it('two forwarders racing over the same segments hand each record on exactly once', async () => {
    const dir = freshDir();
    const writer = await SegmentSpool.open({ dir, maxBytes: 1 << 22, segmentBytes: 512 });
    for (let i = 0; i < 400; i++) await writer.append([{ i }]);
    await writer.close();
    const [a, b] = await Promise.all([SegmentSpool.open({ dir, maxBytes: 1 << 22 }), SegmentSpool.open({ dir, maxBytes: 1 << 22 })]);
    const [fromA, fromB] = (await Promise.all([drain(a, 3), drain(b, 3)])) as { i: number }[][];
    expect([...fromA, ...fromB].map((r) => r.i).sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    await Promise.all([a.close(), b.close()]);
  });

  it('after a failed send, resumes where it stopped: nothing lost, nothing sent twice', async () => {
    const spool = await SegmentSpool.open({ dir: freshDir(), maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) await spool.append([{ i }]);
    const sent: number[] = [];
    let calls = 0;
    await expect(
      spool.forward(async (records) => {
        if (++calls === 3) throw new Error('queue down');
        sent.push(...(records as { i: number }[]).map((r) => r.i));
      }, 2),
    ).rejects.toThrow('queue down');
    expect(sent).toEqual([0, 1, 2, 3]);
    expect(spool.isEmpty).toBe(false);
    await spool.append([{ i: 10 }]);
    await spool.forward(async (records) => void sent.push(...(records as { i: number }[]).map((r) => r.i)), 2);
    expect(sent).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(spool.isEmpty).toBe(true);
    await spool.close();
  });

  it('a closed spool leaves its records for the next one and refuses appends', async () => {
    const dir = freshDir();
    const spool = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([{ kept: true }]);
    await spool.close();
    await expect(spool.append([{ late: true }])).rejects.toThrow('spool is closed');
    const next = await SegmentSpool.open({ dir, maxBytes: 1 << 20 });
    expect(await drain(next)).toEqual([{ kept: true }]);
    await next.close();
  });
});
