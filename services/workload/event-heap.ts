// Binary min-heap ordered by (time, seq): the generator's time queue. seq is the insertion
// counter, so equal times come out in insertion order and the stream is deterministic.

export interface HeapEntry<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventHeap<T> {
  private readonly entries: HeapEntry<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.entries.length;
  }

  push(time: number, item: T): void {
    const entry = { time, seq: this.nextSeq++, item };
    const a = this.entries;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, a[parent] as HeapEntry<T>)) break;
      a[i] = a[parent] as HeapEntry<T>;
      i = parent;
    }
    a[i] = entry;
  }

  peekTime(): number {
    return this.entries[0]?.time ?? Infinity;
  }

  pop(): HeapEntry<T> | undefined {
    const a = this.entries;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child =
        right < a.length && before(a[right] as HeapEntry<T>, a[left] as HeapEntry<T>) ? right : left;
      if (!before(a[child] as HeapEntry<T>, last)) break;
      a[i] = a[child] as HeapEntry<T>;
      i = child;
    }
    a[i] = last;
    return top;
  }
}

function before<T>(x: HeapEntry<T>, y: HeapEntry<T>): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}
