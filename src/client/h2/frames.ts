/** HTTP/2 frame layout (RFC 9113 section 4) and the few frames a client writes. */

export const FRAME_HEADER_BYTES = 9;

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
} as const;

export const ErrorCode = { REFUSED_STREAM: 0x7, CANCEL: 0x8 } as const;

export const CONNECTION_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** A frame as read off the wire; the payload is a view into the read buffer, valid only while it is handled. */
export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload?: Buffer): Buffer {
  const length = payload?.length ?? 0;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  writeFrameHeader(out, 0, length, type, flags, streamId);
  payload?.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/** A frame header at `at`, for a payload written after it in the same buffer. */
export function writeFrameHeader(
  out: Buffer,
  at: number,
  length: number,
  type: number,
  flags: number,
  streamId: number,
): void {
  out.writeUIntBE(length, at, 3);
  out[at + 3] = type;
  out[at + 4] = flags;
  out.writeUInt32BE(streamId & 0x7fffffff, at + 5);
}

export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const payload = Buffer.allocUnsafe(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(increment, 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

export function rstStreamFrame(streamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(code, 0);
  return frame(FrameType.RST_STREAM, 0, streamId, payload);
}

/**
 * Splits a byte stream into frames. Frames are handed on as views of the bytes pushed, valid only during
 * the call: the session reads into one buffer shared by every socket. Only a frame cut off at the end of a
 * read is copied, to be joined with the next one.
 */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(private readonly onFrame: (frame: Frame) => void) {}

  /** The first `length` bytes of `bytes` arrived. */
  push(bytes: Buffer, length: number): void {
    const buf = this.pending ? Buffer.concat([this.pending, bytes.subarray(0, length)]) : bytes;
    const end = this.pending ? buf.length : length;
    this.pending = undefined;
    let at = 0;
    while (end - at >= FRAME_HEADER_BYTES) {
      const frameEnd = at + FRAME_HEADER_BYTES + buf.readUIntBE(at, 3);
      if (frameEnd > end) break;
      this.onFrame({
        type: buf[at + 3],
        flags: buf[at + 4],
        streamId: buf.readUInt32BE(at + 5) & 0x7fffffff,
        payload: buf.subarray(at + FRAME_HEADER_BYTES, frameEnd),
      });
      at = frameEnd;
    }
    if (at < end) this.pending = Buffer.copyBytesFrom(buf, at, end - at);
  }
}

/** The payload without its padding (a DATA frame's data). */
export function unpadded(f: Frame): Buffer {
  if (!(f.flags & Flag.PADDED)) return f.payload;
  return f.payload.subarray(1, f.payload.length - f.payload[0]);
}

/** The header block fragment of a HEADERS frame: padding and priority fields stripped. */
export function headersFragment(f: Frame): Buffer {
  const payload = unpadded(f);
  return f.flags & Flag.PRIORITY ? payload.subarray(5) : payload;
}
