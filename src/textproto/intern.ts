import { internalized, type CodeUnits } from "./chars.js";

/** Slots of the cache (a power of two). */
const SLOTS = 1024;
/** Misses after which new strings are no longer internalized (a legitimate 20 MB net has a few hundred). */
const MAX_INTERNALIZED = 1 << 16;

/**
 * The strings of identifiers read from one text, shared between tokens of the same spelling:
 * field names repeat a million times in a large net, and a shared, internalized string makes
 * each one cost no allocation and a by-identity Map lookup in the schema (chars.ts internalized).
 * A direct-mapped cache: a cheap key (length and three characters) picks a slot, whose string is
 * used when the code units are the same. Nets use a few dozen field names, so collisions are
 * rare, and one only costs a slice.
 */
export class IdentifierCache {
  /** Cache misses so far (each one internalized a string, up to MAX_INTERNALIZED). */
  private misses = 0;
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** Where in the text each slot's string was read: candidates are compared as code units, not strings. */
  private readonly starts = new Int32Array(SLOTS);
  /** A DataView of the code units when they are bytes, for comparing four at a time. */
  private readonly view: DataView | undefined;

  constructor(
    private readonly text: string,
    private readonly codes: CodeUnits,
  ) {
    this.view = codes instanceof Uint8Array ? new DataView(codes.buffer, codes.byteOffset, codes.byteLength) : undefined;
  }

  /** The string of `text[start, end)`. */
  get(start: number, end: number): string {
    const n = end - start;
    if (n > 64 || n === 0) return this.text.slice(start, end);
    const codes = this.codes;
    const key = ((n * 131 + codes[start]!) * 131 + codes[end - 1]!) * 131 + codes[start + (n >> 1)]!;
    const slot = key & (SLOTS - 1);
    const hit = this.strings[slot];
    if (hit !== undefined && hit.length === n && this.sameUnits(this.starts[slot]!, start, n)) return hit;
    // Internalizing costs V8 a new hidden class per distinct name: worth it for the few dozen
    // names a net repeats, not for a (generated or hostile) file of a million distinct ones.
    const s = ++this.misses <= MAX_INTERNALIZED ? internalized(this.text.slice(start, end)) : this.text.slice(start, end);
    this.strings[slot] = s;
    this.starts[slot] = start;
    return s;
  }

  /** Whether the `n` code units at `a` and at `b` are the same. */
  private sameUnits(a: number, b: number, n: number): boolean {
    let i = 0;
    const view = this.view;
    if (view) for (; i + 4 <= n; i += 4) if (view.getUint32(a + i) !== view.getUint32(b + i)) return false;
    const codes = this.codes;
    for (; i < n; i++) if (codes[a + i] !== codes[b + i]) return false;
    return true;
  }
}
