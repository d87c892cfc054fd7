/**
 * How the local log stores one record in a segment file: a frame, checksummed so a write cut short
 * by a crash is recognised and cut off at the next start.
 *
 *   frame = u32 body length | u32 crc32(body) | body
 *   body  = u32 key length | key (UTF-8) | u32 headers length | headers (JSON, empty = none) | value
 *
 * Pure: buffers in, buffers out.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;

export interface LogRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export function encodeFrame(record: LogRecord): Buffer {
  const key = Buffer.from(record.key, 'utf8');
  const headers = Object.keys(record.headers).length > 0 ? Buffer.from(JSON.stringify(record.headers), 'utf8') : Buffer.alloc(0);
  const bodyLength = 4 + key.length + 4 + headers.length + record.value.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  let at = FRAME_HEADER_BYTES;
  at = frame.writeUInt32BE(key.length, at);
  at += key.copy(frame, at);
  at = frame.writeUInt32BE(headers.length, at);
  at += headers.copy(frame, at);
  record.value.copy(frame, at);
  frame.writeUInt32BE(bodyLength, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Length of the whole frame starting at `at`, or undefined when its header is not all there. */
export function frameLength(buffer: Buffer, at: number): number | undefined {
  if (buffer.length - at < FRAME_HEADER_BYTES) return undefined;
  return FRAME_HEADER_BYTES + buffer.readUInt32BE(at);
}

/** The frame at `at` is complete and its checksum matches (what a start checks the tail with). */
export function frameIsWhole(buffer: Buffer, at: number): boolean {
  const length = frameLength(buffer, at);
  if (length === undefined || at + length > buffer.length || length < FRAME_HEADER_BYTES + 8) return false;
  return crc32(buffer.subarray(at + FRAME_HEADER_BYTES, at + length)) === buffer.readUInt32BE(at + 4);
}

/** Decode a frame known to be whole. The value is a view into `buffer` (no copy). */
export function decodeFrame(buffer: Buffer, at: number): LogRecord {
  const end = at + frameLength(buffer, at)!;
  let pos = at + FRAME_HEADER_BYTES;
  const keyLength = buffer.readUInt32BE(pos);
  pos += 4;
  const key = buffer.toString('utf8', pos, pos + keyLength);
  pos += keyLength;
  const headersLength = buffer.readUInt32BE(pos);
  pos += 4;
  const headers = headersLength > 0 ? (JSON.parse(buffer.toString('utf8', pos, pos + headersLength)) as Record<string, string>) : {};
  pos += headersLength;
  return { key, headers, value: buffer.subarray(pos, end) };
}
