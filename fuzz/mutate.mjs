/**
 * Seeded mutations of prototxt files for the fuzzer (fuzz/fuzz.mjs) and the property tests:
 * byte flips, insertions of tokens, braces and quotes, deletions, duplications, truncation and
 * splicing of two files. Works on bytes, as the CLI reads files, so a flip can make invalid
 * UTF-8. Deterministic: the same seed gives the same mutations.
 */

/**
 * mulberry32: a small seeded generator, enough to make a run reproducible from its seed.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of the text format and of Caffe nets that steer mutations into interesting places. */
export const TOKENS = [
  "{", "}", "<", ">", "[", "]", ":", ";", ",", '"', "'", "\\", "#", "\n", "\r", "\r\n", "\t", " ", "-", ".",
  "layer {", "layers {", "layer {\n  name: \"bn\"\n  type: \"BatchNorm\"\n  bottom: \"data\"\n  top: \"data\"\n}\n",
  'name: "x"', 'type: "BatchNorm"', 'type: "Scale"', 'type: "Bias"', 'type: "Convolution"', 'type: "Input"',
  'type: "InnerProduct"', 'type: "BN"', 'bottom: "data"', 'top: "data"', 'input: "data"',
  "input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }", "input_dim: 1", "input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } }",
  "batch_norm_param { use_global_stats: true }", "batch_norm_param { use_global_stats: false moving_average_fraction: 1.5 eps: -1 }",
  "scale_param { bias_term: true }", "bias_term: false", "include { phase: TRAIN }", "exclude { phase: TEST }",
  "param { lr_mult: 0 decay_mult: 0 }", "param { lr_mult: 1 }", "convolution_param { num_output: 0 kernel_size: 3 }",
  "bn_param { frozen: true }", "bn_mode: INFERENCE", "blobs { shape { dim: 2 } data: 1 data: 2 }", "phase: TRAIN", "state { phase: TEST }",
  "1e999", "-1e999", "nan", "-inf", "inf", "0x7fffffff", "0xffffffffffffffff", "99999999999999999999", "-9223372036854775809",
  "1.5", "-0", "0.", ".5e-3", "1f", "010", "0b1", "true", "false", "True", "t",
  '"\\x"', '"\\xff\\xfe"', '"\\377"', '"\\u00e9"', '"\\U0001F600"', '"\\ud800"', '"a" "b"', "'it''s'",
  "# caffe2torch-disable-next-line", "# caffe2torch-disable bn-without-scale", "\u00e9", "\u202e", "\ufeff",
];

/**
 * @param {() => number} random
 * @param {number} n
 */
function below(random, n) {
  return Math.floor(random() * n);
}

/**
 * One random mutation of `bytes`; `other` is a second file for splicing.
 * @param {Uint8Array} bytes
 * @param {Uint8Array} other
 * @param {() => number} random
 * @returns {{ bytes: Uint8Array, how: string }}
 */
export function mutateOnce(bytes, other, random) {
  const b = Buffer.from(bytes);
  const at = below(random, b.length + 1);
  const span = 1 + below(random, Math.min(256, Math.max(1, b.length - at)));
  switch (below(random, 9)) {
    case 0: {
      if (b.length === 0) return { bytes: b, how: "flip(empty)" };
      const i = below(random, b.length);
      b[i] = (b[i] ?? 0) ^ (1 << below(random, 8));
      return { bytes: b, how: `flip@${i}` };
    }
    case 1:
    case 2: {
      const token = TOKENS[below(random, TOKENS.length)] ?? "{";
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(token), b.subarray(at)]), how: `insert@${at}:${JSON.stringify(token).slice(0, 40)}` };
    }
    case 3:
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + span)]), how: `delete@${at}+${span}` };
    case 4: {
      const to = below(random, b.length + 1);
      return { bytes: Buffer.concat([b.subarray(0, to), b.subarray(at, at + span), b.subarray(to)]), how: `dup@${at}+${span}->${to}` };
    }
    case 5:
      return { bytes: b.subarray(0, at), how: `truncate@${at}` };
    case 6: {
      const cut = below(random, other.length + 1);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(other).subarray(cut)]), how: `splice@${at}+other@${cut}` };
    }
    case 7: {
      // Nesting, kept shallow: deep nesting is its own known issue (see fuzz/README.md).
      const depth = 1 + below(random, 40);
      const open = below(random, 2) === 0 ? "layer {" : "a <";
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(open.repeat(depth)), b.subarray(at)]), how: `nest@${at}x${depth}` };
    }
    default: {
      // A number replaced by an extreme one.
      const text = b.toString("latin1");
      const numbers = [...text.matchAll(/-?\d[\d.eE+-]*/g)];
      if (numbers.length === 0) return { bytes: b, how: "number(none)" };
      const m = numbers[below(random, numbers.length)];
      const token = ["0", "-1", "1e999", "nan", "4294967296", "-2147483649", "1e-50", "0.999999", "3.4028236e38"][below(random, 9)] ?? "0";
      const start = m?.index ?? 0;
      const out = Buffer.concat([b.subarray(0, start), Buffer.from(token), b.subarray(start + (m?.[0].length ?? 0))]);
      return { bytes: out, how: `number@${start}:${token}` };
    }
  }
}

/**
 * 1 to `max` mutations in a row.
 * @param {Uint8Array} bytes
 * @param {Uint8Array} other
 * @param {() => number} random
 * @param {number} [max]
 */
export function mutate(bytes, other, random, max = 4) {
  let out = bytes;
  const hows = [];
  const count = 1 + below(random, max);
  for (let i = 0; i < count; i++) {
    const m = mutateOnce(out, other, random);
    out = m.bytes;
    hows.push(m.how);
  }
  return { bytes: out, how: hows.join(", ") };
}
