// Seeded randomness for the synthetic municipality.
//
// Why: `benefit generate` must give byte-identical files for the same seed, so nothing here
// may touch Math.random or the clock. We use seedrandom's Alea generator rather than its
// default ARC4 one because Alea is about 7x faster, and the generator draws tens of millions
// of numbers for a 1,000,000-resident municipality. One stream is used for the whole run
// (re-seeding per household would cost more than a second on its own).
import seedrandom from 'seedrandom';

/** A table of values with relative weights, prepared once so that each draw is cheap. */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new Error('WeightedTable needs at least one entry');
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      if (!(weight >= 0)) throw new Error(`negative weight at ${i}`);
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  /** Picks an item for a uniform draw u in [0, 1) (binary search over the cumulative weights). */
  at(u: number): T {
    const target = u * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

/** Thin convenience layer over one seeded stream. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: string) {
    this.next = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(table: WeightedTable<T>): T {
    return table.at(this.next());
  }

  /** Standard normal draw (Box-Muller; uses two uniforms so the stream stays in step). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1], so log() is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal with the given median: incomes are skewed to the right, as real ones are. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Uniform in [lo, hi), for money amounts before rounding. */
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
}
