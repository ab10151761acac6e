/** Runs `work` over `items` with at most `limit` at once. A `work` that throws rejects the whole run (the other lanes finish their current item); callers that must attempt every item catch inside `work`. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
