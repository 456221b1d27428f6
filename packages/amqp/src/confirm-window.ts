/**
 * The messages published on one confirm channel and not yet confirmed, by delivery tag. RabbitMQ numbers the
 * publishes of a confirm channel 1, 2, 3, ... and confirms them by tag, singly or "all up to this tag"
 * (`multiple`), in any order. The window is a ring buffer indexed by tag, so adding, confirming one tag and
 * confirming a range each cost O(1) per message, whatever the window's size (no indexOf/splice on a list).
 */
export class ConfirmWindow<T> {
  #slots: (T | undefined)[] = new Array(1024);
  /** The lowest tag that may still be unconfirmed. */
  #base = 1;
  /** The tag the next publish gets. */
  #next = 1;
  #size = 0;

  /** How many messages wait for their confirm. */
  get size(): number {
    return this.#size;
  }

  /** Records the next publish and returns its delivery tag. */
  add(entry: T): number {
    if (this.#next - this.#base === this.#slots.length) this.#grow();
    const tag = this.#next++;
    this.#slots[tag & (this.#slots.length - 1)] = entry;
    this.#size++;
    return tag;
  }

  /** Removes and returns the entry of one tag (undefined if it was already settled or never existed). */
  take(tag: number): T | undefined {
    if (tag < this.#base || tag >= this.#next) return undefined;
    const index = tag & (this.#slots.length - 1);
    const entry = this.#slots[index];
    if (entry === undefined) return undefined;
    this.#slots[index] = undefined;
    this.#size--;
    this.#advance();
    return entry;
  }

  /**
   * Removes every entry with a tag up to `tag` included, oldest first, and hands each to `each` (which must not
   * add to the window: settle promises there, publish more afterwards).
   */
  takeUpTo(tag: number, each: (entry: T) => void): void {
    const last = Math.min(tag, this.#next - 1);
    const mask = this.#slots.length - 1;
    for (let t = this.#base; t <= last; t++) {
      const entry = this.#slots[t & mask];
      if (entry === undefined) continue;
      this.#slots[t & mask] = undefined;
      this.#size--;
      each(entry);
    }
    if (last >= this.#base) this.#base = last + 1;
    this.#advance();
  }

  /**
   * Removes the oldest entries while `expired` says so, handing each to `each`; stops at the first that is not.
   * Entries are in publish order, so with one timeout for all, the expired ones are at the front.
   */
  takeExpired(expired: (entry: T) => boolean, each: (entry: T) => void): void {
    const mask = this.#slots.length - 1;
    for (let t = this.#base; t < this.#next; t++) {
      const entry = this.#slots[t & mask];
      if (entry === undefined) continue;
      if (!expired(entry)) break;
      this.#slots[t & mask] = undefined;
      this.#size--;
      each(entry);
    }
    this.#advance();
  }

  /** Whether an entry with a tag above `tag` satisfies `test` (scans from `tag + 1` to the first match). */
  someAfter(tag: number, test: (entry: T) => boolean): boolean {
    const mask = this.#slots.length - 1;
    for (let t = Math.max(tag + 1, this.#base); t < this.#next; t++) {
      const entry = this.#slots[t & mask];
      if (entry !== undefined && test(entry)) return true;
    }
    return false;
  }

  /** Removes every entry, oldest first. */
  takeAll(each: (entry: T) => void): void {
    this.takeUpTo(this.#next - 1, each);
  }

  /** Moves the base past settled tags; each tag is passed over once, so this is O(1) amortized. */
  #advance(): void {
    const mask = this.#slots.length - 1;
    while (this.#base < this.#next && this.#slots[this.#base & mask] === undefined) this.#base++;
  }

  #grow(): void {
    const old = this.#slots;
    const slots: (T | undefined)[] = new Array(old.length * 2);
    for (let t = this.#base; t < this.#next; t++) slots[t & (slots.length - 1)] = old[t & (old.length - 1)];
    this.#slots = slots;
  }
}
