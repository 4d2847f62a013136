/**
 * The output buffer of print.ts: ASCII text gathered as bytes in one buffer and handed out as
 * strings of about `chunk` characters. Writing never yields; the printer takes the finished
 * chunks with {@link AsciiSink.drain} at points where its generator can yield.
 */

const decoder = new TextDecoder();

/** Bytes of slack past `chunk`, so that a line started below the limit always fits. */
const SLACK = 4096;

export class AsciiSink {
  /** The buffer being filled; see {@link reserve} before writing into it directly. */
  buf: Uint8Array;
  /** Bytes written into {@link buf}. */
  pos = 0;
  private ready: string[] = [];

  constructor(readonly chunk: number) {
    this.buf = new Uint8Array(chunk + SLACK);
  }

  /** Appends an ASCII string (every character below 0x80, as all text format output is). */
  str(s: string): void {
    const n = s.length;
    const buf = this.reserve(n);
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
    if (pos >= this.chunk) this.flush();
  }

  /** Makes room for `n` more bytes at {@link pos} and returns the buffer to write them into. */
  reserve(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) {
      this.flush();
      // A single string longer than a chunk (a huge escaped name) gets a buffer of its own size.
      if (n > this.buf.length) this.buf = new Uint8Array(n + SLACK);
    }
    return this.buf;
  }

  /** Turns the bytes gathered so far into a finished chunk. */
  flush(): void {
    if (this.pos === 0) return;
    this.ready.push(decoder.decode(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  /** Whether finished chunks wait for {@link drain} (checked first: a drain costs a generator). */
  get pending(): boolean {
    return this.ready.length > 0;
  }

  /** Hands out the finished chunks. */
  *drain(): Generator<string, void, undefined> {
    while (this.ready.length > 0) {
      const chunks = this.ready;
      this.ready = [];
      yield* chunks;
    }
  }
}
