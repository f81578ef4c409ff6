import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface SegmentSpoolOptions {
  readonly dir: string;
  /** Bytes the spool's files may take on disk; an append past it is refused ('full'). */
  readonly maxBytes: number;
  /** A segment is sealed, and a new one begun, once it holds this many bytes. */
  readonly segmentBytes?: number;
}

export type AppendResult = 'spooled' | 'full';

const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
/** u32 payload length, u32 CRC-32 of the payload. */
const HEADER_BYTES = 8;
const NAME_RE = /^(\d{15}-\d{6})-(\d+)-([0-9a-f]{8})\.(open|ready|fwd-(\d+)-([0-9a-f]{8}))$/;

/**
 * Spools of this process that are open, by instance id: a file whose owner has this process's pid
 * but an instance id not in here belongs to an earlier process (a container restarted with pid 1).
 */
const LIVE_INSTANCES = new Set<string>();

interface SegmentFile {
  readonly name: string;
  /** The part of the name that stays when the file changes hands: creation time, sequence, creator. */
  readonly base: string;
  readonly state: 'open' | 'ready' | 'fwd';
  /** Who holds it: the writer of an open segment, the forwarder of a claimed one. */
  readonly ownerPid: number;
  readonly ownerInstance: string;
}

function parseName(name: string): SegmentFile | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  const base = `${m[1]}-${m[2]}-${m[3]}`;
  if (m[4] === 'open') return { name, base, state: 'open', ownerPid: Number(m[2]), ownerInstance: m[3] };
  if (m[4] === 'ready') return { name, base, state: 'ready', ownerPid: 0, ownerInstance: '' };
  return { name, base, state: 'fwd', ownerPid: Number(m[5]), ownerInstance: m[6] };
}

function isAlive(pid: number, instance: string): boolean {
  if (pid === process.pid) return LIVE_INSTANCES.has(instance);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Frames each record as its JSON with a length and a CRC, so a torn tail is recognised and skipped. */
export function encodeRecords(records: readonly unknown[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const payload = Buffer.from(JSON.stringify(record), 'utf8');
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    parts.push(header, payload);
  }
  return Buffer.concat(parts);
}

/** The records of a segment up to the first frame that is cut short or fails its CRC (a write a crash interrupted). */
export function decodeRecords(bytes: Buffer): unknown[] {
  const records: unknown[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + HEADER_BYTES + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(at + HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(at + 4)) break;
    records.push(JSON.parse(payload.toString('utf8')));
    at = end;
  }
  return records;
}

interface PendingAppend {
  readonly frame: Buffer;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A durable on-disk queue of JSON records: append-only segment files in one directory, written
 * with group commit (the appends that arrive while a write is on its way share the next write and
 * fdatasync), so an append resolves only once its bytes are on disk. Forwarding claims whole
 * segments by renaming them, hands their records on, and deletes each segment once all its records
 * were taken, so nothing is lost and a crash re-sends at most the segments it was forwarding.
 *
 * Several processes may share the directory: every file names its holder (pid and an instance id),
 * and a file whose holder is gone (a crash) is claimed by the next forwarder, with one atomic
 * rename, so two forwarders never take the same segment.
 */
export class SegmentSpool {
  private readonly instance = randomBytes(4).toString('hex');
  private readonly segmentBytes: number;
  private current: { name: string; handle: FileHandle; size: number } | null = null;
  private pending: PendingAppend[] = [];
  /** Every file operation runs on this chain, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private writeScheduled = false;
  private sequence = 0;
  private dirReady = false;
  private closed = false;
  private bytesOnDisk = 0;
  /** Records of a claimed segment already handed on, so a failed forward resumes after them. */
  private readonly forwardedRecords = new Map<string, number>();

  private constructor(private readonly options: SegmentSpoolOptions) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    LIVE_INSTANCES.add(this.instance);
  }

  /** Opens the spool and counts what earlier processes left in it (forwarded by the next forward()). */
  static async open(options: SegmentSpoolOptions): Promise<SegmentSpool> {
    const spool = new SegmentSpool(options);
    await spool.measure();
    return spool;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Bytes of segment files in the directory, as this process last counted them plus its own appends. */
  get bytes(): number {
    return this.bytesOnDisk;
  }

  get isEmpty(): boolean {
    return this.bytesOnDisk === 0;
  }

  /** Appends records durably: resolves 'spooled' once they are fsync'd, 'full' (nothing written) past maxBytes. */
  append(records: readonly unknown[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('spool is closed'));
    const frame = encodeRecords(records);
    if (this.bytesOnDisk + frame.length > this.options.maxBytes) return Promise.resolve('full');
    this.bytesOnDisk += frame.length;
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ frame, resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        void this.exclusive(() => this.writePending());
      }
    });
  }

  /**
   * Hands every record on disk to `send`, up to `batchRecords` at a time, oldest segment first,
   * deleting each segment once all its records were sent. Throws what `send` throws; the segment
   * it was sending stays claimed by this process and the next call resumes it.
   */
  async forward(send: (records: unknown[]) => Promise<void>, batchRecords: number): Promise<number> {
    const claimed = await this.exclusive(async () => {
      await this.sealCurrent(true);
      return this.claimAll();
    });
    let sent = 0;
    for (const name of claimed) {
      const path = join(this.options.dir, name);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const records = decodeRecords(bytes);
      let done = this.forwardedRecords.get(name) ?? 0;
      while (done < records.length) {
        const batch = records.slice(done, done + batchRecords);
        await send(batch);
        done += batch.length;
        sent += batch.length;
        this.forwardedRecords.set(name, done);
      }
      await this.exclusive(async () => {
        await unlink(path);
        await this.syncDir();
      });
      this.forwardedRecords.delete(name);
      this.bytesOnDisk = Math.max(0, this.bytesOnDisk - bytes.length);
    }
    await this.measure();
    return sent;
  }

  /** Seals the segment being written and gives back unforwarded claims, so the next process takes them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.exclusive(async () => {
      await this.sealCurrent(false);
      for (const file of await this.list()) {
        if (file.state === 'fwd' && file.ownerPid === process.pid && file.ownerInstance === this.instance) {
          await rename(join(this.options.dir, file.name), join(this.options.dir, `${file.base}.ready`));
        }
      }
      if (this.dirReady) await this.syncDir();
    });
    LIVE_INSTANCES.delete(this.instance);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.chain.then(operation);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const size = batch.reduce((sum, p) => sum + p.frame.length, 0);
    try {
      const segment = await this.openSegment();
      const { bytesWritten } = await segment.handle.writev(batch.map((p) => p.frame));
      if (bytesWritten !== size) throw new Error(`spool write cut short: ${bytesWritten} of ${size} bytes`);
      await segment.handle.datasync();
      segment.size += size;
    } catch (error) {
      this.bytesOnDisk -= size;
      // A failed write may have left part of a frame: nothing more goes into that segment.
      await this.sealCurrent(false).catch(() => undefined);
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) p.resolve('spooled');
    if (this.current && this.current.size >= this.segmentBytes) await this.sealCurrent(false).catch(() => undefined);
  }

  private async openSegment(): Promise<{ name: string; handle: FileHandle; size: number }> {
    if (this.current) return this.current;
    if (!this.dirReady) {
      await mkdir(this.options.dir, { recursive: true });
      this.dirReady = true;
    }
    const stamp = `${String(Date.now()).padStart(15, '0')}-${String(this.sequence++ % 1_000_000).padStart(6, '0')}`;
    const name = `${stamp}-${process.pid}-${this.instance}.open`;
    const handle = await open(join(this.options.dir, name), 'wx');
    // The new name must survive a crash too, or its fsync'd records would be unreachable.
    await this.syncDir();
    this.current = { name, handle, size: 0 };
    return this.current;
  }

  /** Closes the segment being written: claimed by this process to forward it now, or left ready for anyone. */
  private async sealCurrent(claim: boolean): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    await current.handle.close();
    const base = current.name.slice(0, -'.open'.length);
    const from = join(this.options.dir, current.name);
    if (current.size === 0) {
      await unlink(from);
      return;
    }
    await rename(from, join(this.options.dir, claim ? `${base}.fwd-${process.pid}-${this.instance}` : `${base}.ready`));
    await this.syncDir();
  }

  /** Claims sealed segments and those of processes that are gone; returns this process's claims, oldest first. */
  private async claimAll(): Promise<string[]> {
    const mine: string[] = [];
    let renamed = false;
    for (const file of await this.list()) {
      const isMine = file.ownerPid === process.pid && file.ownerInstance === this.instance;
      if (file.state === 'fwd' && isMine) {
        mine.push(file.name);
        continue;
      }
      if (file.state !== 'ready' && isAlive(file.ownerPid, file.ownerInstance)) continue;
      const name = `${file.base}.fwd-${process.pid}-${this.instance}`;
      try {
        await rename(join(this.options.dir, file.name), join(this.options.dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another forwarder took it first
        throw error;
      }
      renamed = true;
      mine.push(name);
    }
    if (renamed) await this.syncDir();
    return mine.sort();
  }

  private async list(): Promise<SegmentFile[]> {
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .sort()
      .map(parseName)
      .filter((file): file is SegmentFile => file !== null);
  }

  /**
   * Recounts the bytes of every segment in the directory (other processes' too) plus the appends
   * waiting for their write; between two writes, so none is half counted.
   */
  private measure(): Promise<void> {
    return this.exclusive(async () => {
      let total = 0;
      for (const file of await this.list()) {
        try {
          total += (await stat(join(this.options.dir, file.name))).size;
        } catch {
          // forwarded and deleted meanwhile
        }
      }
      this.bytesOnDisk = total + this.pending.reduce((sum, p) => sum + p.frame.length, 0);
    });
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.options.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
