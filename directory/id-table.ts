/**
 * Group ids → dense numeric slots, without one heap string per id: at 1 M groups, ids as Map keys
 * cost ~40 B a string plus ~30 B of Map entry. Here the ids are packed into one flat string per
 * page of PAGE_SIZE ids, found through an open-addressing hash table of slot numbers (linear
 * probing), with each slot's hash kept to skip string compares on collisions. Slots are handed out
 * in order and never reused; `compact` drops the removed ones. Pure, no I/O.
 */
const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
const EMPTY = 0;
const REMOVED = -1;

/** FNV-1a over UTF-16 code units. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}

type TypedArray = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

/** `array`, or a copy at least twice as long when it is shorter than `length` (new room holds `fill`). */
export function grown<T extends TypedArray>(array: T, length: number, fill = 0): T {
  if (length <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(length, array.length * 2));
  if (fill !== 0) next.fill(fill);
  next.set(array);
  return next;
}

export class IdTable {
  /** Sealed pages: PAGE_SIZE ids each, joined. */
  private pages: string[] = [];
  /** Ids of the page being filled, sealed when full. */
  private open: string[] = [];
  /** End offset of each slot's id within its page. */
  private ends = new Uint32Array(1024);
  private hashes = new Int32Array(1024);
  private live = new Uint8Array(1024);
  /** slot + 1, EMPTY or REMOVED; length a power of two, at most half full (removed count as full). */
  private buckets = new Int32Array(2048);
  private used = 0;
  /** Slots handed out so far (live or removed). */
  slots = 0;
  /** Live ids. */
  size = 0;

  /** Slot of an id, or -1. */
  find(id: string): number {
    const bucket = this.bucketOf(id);
    return bucket < 0 ? -1 : this.buckets[bucket]! - 1;
  }

  /** Slot of an id, added when new. */
  add(id: string): number {
    const found = this.find(id);
    if (found >= 0) return found;
    if ((this.used + 1) * 2 > this.buckets.length) this.rehash(this.size + 1);
    const slot = this.slots++;
    if (slot >= this.ends.length) {
      this.ends = grown(this.ends, slot + 1);
      this.hashes = grown(this.hashes, slot + 1);
      this.live = grown(this.live, slot + 1);
    }
    const hash = hashOf(id);
    this.hashes[slot] = hash;
    this.live[slot] = 1;
    this.ends[slot] = (slot & (PAGE_SIZE - 1)) === 0 ? id.length : this.ends[slot - 1]! + id.length;
    this.open.push(id);
    if (this.open.length === PAGE_SIZE) {
      this.pages.push(this.open.join(''));
      this.open = [];
    }
    this.place(slot, hash);
    this.used++;
    this.size++;
    return slot;
  }

  /** Forget an id; its slot stays handed out (dead) until `compact`. Returns that slot, or -1. */
  remove(id: string): number {
    const bucket = this.bucketOf(id);
    if (bucket < 0) return -1;
    const slot = this.buckets[bucket]! - 1;
    this.buckets[bucket] = REMOVED;
    this.live[slot] = 0;
    this.size--;
    return slot;
  }

  isLive(slot: number): boolean {
    return this.live[slot] === 1;
  }

  idOf(slot: number): string {
    const page = slot >>> PAGE_BITS;
    const start = (slot & (PAGE_SIZE - 1)) === 0 ? 0 : this.ends[slot - 1]!;
    return page < this.pages.length ? this.pages[page]!.slice(start, this.ends[slot]) : this.open[slot & (PAGE_SIZE - 1)]!;
  }

  /**
   * Rebuild without the removed slots when they are at least half of all slots. Returns the new
   * slot of each old slot (-1 for removed) when it did, for the caller's per-slot arrays.
   */
  compact(): Int32Array | undefined {
    const dead = this.slots - this.size;
    if (dead < 1024 || dead * 2 < this.slots) return undefined;
    const moved = new Int32Array(this.slots).fill(-1);
    const ids: string[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.live[slot] === 0) continue;
      moved[slot] = ids.length;
      ids.push(this.idOf(slot));
    }
    const fresh = new IdTable();
    for (const id of ids) fresh.add(id);
    Object.assign(this, fresh);
    return moved;
  }

  /** Bucket holding an id, or -1. */
  private bucketOf(id: string): number {
    const hash = hashOf(id);
    const mask = this.buckets.length - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const entry = this.buckets[b]!;
      if (entry === EMPTY) return -1;
      if (entry !== REMOVED && this.hashes[entry - 1] === hash && this.matches(entry - 1, id)) return b;
    }
  }

  private matches(slot: number, id: string): boolean {
    const page = slot >>> PAGE_BITS;
    if (page >= this.pages.length) return this.open[slot & (PAGE_SIZE - 1)] === id;
    const start = (slot & (PAGE_SIZE - 1)) === 0 ? 0 : this.ends[slot - 1]!;
    return this.ends[slot]! - start === id.length && this.pages[page]!.startsWith(id, start);
  }

  private place(slot: number, hash: number): void {
    const mask = this.buckets.length - 1;
    let b = hash & mask;
    while (this.buckets[b] !== EMPTY) b = (b + 1) & mask;
    this.buckets[b] = slot + 1;
  }

  /** New bucket array, at most half full with `entries` live ids (drops REMOVED markers). */
  private rehash(entries: number): void {
    let length = this.buckets.length;
    while (entries * 2 > length) length *= 2;
    this.buckets = new Int32Array(length);
    for (let slot = 0; slot < this.slots; slot++) if (this.live[slot] === 1) this.place(slot, this.hashes[slot]!);
    this.used = this.size;
  }
}
