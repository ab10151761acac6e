/**
 * Group commit per key: items added for a key while a write of that key is under way wait for the
 * next write, which takes them all. At most one write per key at a time, so writers of one process
 * never race each other for the key (each race a compare-and-set conflict and a retry), and a
 * burst of N additions costs about two writes instead of N.
 */
export class PerKeyBatches<T> {
  readonly #write: (key: string, items: readonly T[]) => Promise<void>;
  readonly #pending = new Map<string, Batch<T>>();
  /** Keys with a write under way (their drain takes the next batch when it lands). */
  readonly #writing = new Set<string>();

  /** `write` persists `items` for `key`; a rejection fails every addition of that batch. */
  constructor(write: (key: string, items: readonly T[]) => Promise<void>) {
    this.#write = write;
  }

  /** Resolves once a write holding `items` has landed; rejects with that write's error. */
  add(key: string, items: readonly T[]): Promise<void> {
    let batch = this.#pending.get(key);
    if (!batch) {
      batch = { items: [], settle: [] };
      this.#pending.set(key, batch);
    }
    batch.items.push(...items);
    const { settle } = batch;
    const landed = new Promise<void>((resolve, reject) => settle.push({ resolve, reject }));
    if (!this.#writing.has(key)) void this.#drain(key);
    return landed;
  }

  /** Writes the key's batches one after another until none is waiting. */
  async #drain(key: string): Promise<void> {
    this.#writing.add(key);
    try {
      for (let batch = this.#pending.get(key); batch; batch = this.#pending.get(key)) {
        this.#pending.delete(key);
        try {
          await this.#write(key, batch.items);
          for (const s of batch.settle) s.resolve();
        } catch (err) {
          for (const s of batch.settle) s.reject(err);
        }
      }
    } finally {
      this.#writing.delete(key);
    }
  }
}

interface Batch<T> {
  readonly items: T[];
  readonly settle: { resolve: () => void; reject: (err: unknown) => void }[];
}
