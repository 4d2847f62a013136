import { numel, type Tensor } from "./tensor.js";

/**
 * A seeded pseudo-random generator (mulberry32: a 32-bit state advanced by a Weyl step and mixed).
 *
 * It is small, fast and deterministic across platforms — what seeded test inputs need. It is not
 * numpy's Mersenne Twister: the golden traces store every tensor, so nothing has to be regenerated
 * bit-compatibly with the Python side.
 */
export interface Rng {
  /** The next uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next uniform double in [0, 1) with 32 random bits. */
  nextFloat(): number;
  /** The next standard normal deviate (Box–Muller, both halves used). */
  nextNormal(): number;
}

/** Creates a generator from a seed (any number; it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spareNormal: number | null = null;

  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
  const nextFloat = (): number => nextUint32() / 4294967296;
  const nextNormal = (): number => {
    if (spareNormal !== null) {
      const value = spareNormal;
      spareNormal = null;
      return value;
    }
    // 1 − u keeps the logarithm's argument in (0, 1].
    const u1 = 1 - nextFloat();
    const u2 = nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { nextUint32, nextFloat, nextNormal };
}

/** Options for {@link randomNormal}. */
export interface NormalOptions {
  /** Added to every value (default 0). */
  readonly mean?: number;
  /** Multiplies every standard deviate (default 1). */
  readonly std?: number;
}

/** A float32 tensor of normal deviates `mean + std·z`, drawn from `rng` in row-major order. */
export function randomNormal(shape: readonly number[], rng: Rng, options: NormalOptions = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.nextNormal();
  return { shape: [...shape], data };
}

/**
 * A float32 tensor of uniform values drawn from `rng` in row-major order: [low, high) before the
 * rounding to float32, which may round a value up to `high`.
 */
export function randomUniform(shape: readonly number[], rng: Rng, low = 0, high = 1): Tensor {
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.nextFloat();
  return { shape: [...shape], data };
}
