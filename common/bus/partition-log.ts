/**
 * One partition of the local log: an append-only sequence of records in segment files
 * (`<first offset, 20 digits>.log`), each record a checksummed frame (log-frames.ts).
 *
 * - Offsets count on from where the log ends, across restarts: a record's offset is never reused.
 * - A write goes to the operating system before append() returns (a killed process loses nothing it
 *   appended); sync() also flushes it to the disk (a power cut loses nothing synced).
 * - At open, the last segment is checked frame by frame and cut at the first incomplete or damaged
 *   frame: the tail of a write that a crash interrupted, never acknowledged.
 * - The active (last) segment is never deleted, so the log always knows its end.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { decodeFrame, frameIsWhole, frameLength, FRAME_HEADER_BYTES } from './log-frames.ts';
import type { ConsumedRecord } from './bus.ts';

interface Segment {
  base: number;
  file: string;
  fd: number;
  /** Bytes of whole frames in the file. */
  size: number;
}

/** Where a reader is: the next offset, in which segment, at which byte. */
export interface LogPosition {
  offset: number;
  base: number;
  byte: number;
}

export interface ReadResult {
  records: ConsumedRecord[];
  /** positions[i]: where the reader is after records[i]. */
  positions: LogPosition[];
}

const SEGMENT_NAME = /^(\d{20})\.log$/;
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

function segmentFile(dir: string, base: number): string {
  return path.join(dir, `${String(base).padStart(20, '0')}.log`);
}

function readAt(fd: number, byte: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const read = readSync(fd, buffer, 0, length, byte);
  return read === length ? buffer : buffer.subarray(0, read);
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

export class PartitionLog {
  private readonly segments: Segment[] = [];
  private endOffset = 0;
  /** Segments written since the last sync(). */
  private readonly unsynced = new Set<Segment>();

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly syncOnRoll: boolean,
  ) {}

  /** Open (or create) the partition in `dir`, cutting a torn tail off its last segment. */
  static open(dir: string, options: { segmentBytes: number; sync: boolean }): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, options.segmentBytes, options.sync);
    const bases = readdirSync(dir)
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    for (const base of bases) {
      const file = segmentFile(dir, base);
      const fd = openSync(file, 'a+');
      log.segments.push({ base, file, fd, size: fstatSync(fd).size });
    }
    const last = log.segments[log.segments.length - 1]!;
    const { records, bytes } = log.scan(last, Infinity);
    if (bytes < last.size) {
      ftruncateSync(last.fd, bytes);
      last.size = bytes;
    }
    log.endOffset = last.base + records;
    return log;
  }

  /** First offset still on disk. */
  get start(): number {
    return this.segments[0]!.base;
  }

  /** Offset the next record will get. */
  get end(): number {
    return this.endOffset;
  }

  /** Append encoded frames; returns the offset of the first. All or nothing. */
  append(frames: Buffer[]): number {
    const first = this.endOffset;
    let segment = this.segments[this.segments.length - 1]!;
    if (segment.size >= this.segmentBytes) segment = this.roll();
    const data = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    try {
      let written = 0;
      while (written < data.length) written += writeSync(segment.fd, data, written, data.length - written);
    } catch (error) {
      // Disk full or failing: take back whatever part of the write landed, so the log stays whole.
      ftruncateSync(segment.fd, segment.size);
      throw error;
    }
    segment.size += data.length;
    this.endOffset += frames.length;
    this.unsynced.add(segment);
    return first;
  }

  /** Flush what was appended since the last sync to the disk. */
  async sync(): Promise<void> {
    const segments = [...this.unsynced];
    this.unsynced.clear();
    await Promise.all(segments.map((s) => fdatasyncAsync(s.fd)));
  }

  /** The position of `offset` (clamped to what is on disk): found by walking the frames of its segment. */
  positionOf(offset: number): LogPosition {
    const wanted = Math.min(Math.max(offset, this.start), this.endOffset);
    const segment = [...this.segments].reverse().find((s) => s.base <= wanted)!;
    const { bytes } = this.scan(segment, wanted - segment.base);
    return { offset: wanted, base: segment.base, byte: bytes };
  }

  /**
   * Records from `from` on: at most `maxRecords`, and at most `maxBytes` unless a single record is
   * larger (then that one). A position in a segment that is gone starts at the oldest record kept.
   */
  read(from: LogPosition, maxRecords: number, maxBytes: number): ReadResult {
    let position = from;
    let segment: Segment | undefined = this.segments.find((s) => s.base === position.base);
    if (!segment) {
      segment = this.segments[0]!;
      position = { offset: segment.base, base: segment.base, byte: 0 };
    }
    while (position.byte >= segment.size) {
      const next: Segment | undefined = this.segments[this.segments.indexOf(segment) + 1];
      if (!next) return { records: [], positions: [] };
      segment = next;
      position = { offset: next.base, base: next.base, byte: 0 };
    }
    let chunk = readAt(segment.fd, position.byte, Math.min(maxBytes, segment.size - position.byte));
    const whole = frameLength(chunk, 0);
    if (whole !== undefined && whole > chunk.length) chunk = readAt(segment.fd, position.byte, whole);
    const records: ConsumedRecord[] = [];
    const positions: LogPosition[] = [];
    let at = 0;
    while (records.length < maxRecords) {
      const length = frameLength(chunk, at);
      if (length === undefined || at + length > chunk.length) break;
      const record = decodeFrame(chunk, at);
      records.push({ key: record.key, value: record.value, headers: record.headers, offset: String(position.offset) });
      at += length;
      position = { offset: position.offset + 1, base: segment.base, byte: position.byte + length };
      positions.push(position);
    }
    return { records, positions };
  }

  /** Delete whole segments that hold only records before `offset`. */
  dropBefore(offset: number): void {
    while (this.segments.length > 1 && this.segments[1]!.base <= offset) this.dropOldest();
  }

  /** Delete whole segments last written before `cutoffMs` (epoch ms). */
  dropOlderThan(cutoffMs: number): void {
    while (this.segments.length > 1 && fstatSync(this.segments[0]!.fd).mtimeMs < cutoffMs) this.dropOldest();
  }

  close(): void {
    for (const segment of this.segments) closeSync(segment.fd);
    this.segments.length = 0;
  }

  private dropOldest(): void {
    const segment = this.segments.shift()!;
    this.unsynced.delete(segment);
    closeSync(segment.fd);
    unlinkSync(segment.file);
  }

  private roll(): Segment {
    const previous = this.segments[this.segments.length - 1]!;
    // The old segment's records must reach the disk before a later segment can hold any.
    if (this.syncOnRoll && this.unsynced.delete(previous)) fdatasyncSync(previous.fd);
    const file = segmentFile(this.dir, this.endOffset);
    const segment = { base: this.endOffset, file, fd: openSync(file, 'a+'), size: 0 };
    this.segments.push(segment);
    if (this.syncOnRoll) syncDirectory(this.dir);
    return segment;
  }

  /** Walk the whole frames of a segment from its start: how many (up to `limit`) and how many bytes. */
  private scan(segment: Segment, limit: number): { records: number; bytes: number } {
    let records = 0;
    let bytes = 0;
    while (records < limit && bytes < segment.size) {
      const chunk = readAt(segment.fd, bytes, Math.min(SCAN_CHUNK_BYTES, segment.size - bytes));
      let at = 0;
      while (records < limit && at + FRAME_HEADER_BYTES <= chunk.length) {
        const length = frameLength(chunk, at)!;
        if (at + length > chunk.length) break;
        if (!frameIsWhole(chunk, at)) return { records, bytes: bytes + at };
        at += length;
        records += 1;
      }
      if (at === 0) {
        // A frame longer than the chunk: check it on its own.
        const length = frameLength(chunk, 0);
        if (length === undefined || bytes + length > segment.size) return { records, bytes };
        const frame = readAt(segment.fd, bytes, length);
        if (!frameIsWhole(frame, 0)) return { records, bytes };
        at = length;
        records += 1;
      }
      bytes += at;
    }
    return { records, bytes };
  }
}

/** Make a new file's directory entry durable (a power cut would otherwise lose the segment's name). */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
