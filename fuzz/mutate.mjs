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
      // Mostly shallow; one in 200 deep enough to exhaust a recursive reader's stack.
      const depth = below(random, 200) === 0 ? 10_000 + below(random, 200_000) : 1 + below(random, 40);
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

/** Whole fields, inserted at the start of a line: the file mostly stays valid, the net does not. */
export const FIELDS = [
  'layer {\n  name: "bn_f"\n  type: "BatchNorm"\n  bottom: "data"\n  top: "data"\n}',
  'layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }',
  'layer { name: "b" type: "Bias" bottom: "data" top: "data" }',
  'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 5 dim: 5 } } }',
  "batch_norm_param { use_global_stats: true }", "batch_norm_param { use_global_stats: false }",
  "batch_norm_param { moving_average_fraction: 0 }", "batch_norm_param { moving_average_fraction: 1 }",
  "batch_norm_param { moving_average_fraction: -2 eps: 0 }", "batch_norm_param { eps: 1e-30 }",
  "include { phase: TRAIN }", "include { phase: TEST }", "exclude { phase: TRAIN }", "include { stage: \"x\" }",
  "param { lr_mult: 0 decay_mult: 0 }", "param { lr_mult: 1 }", "param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 }",
  "bottom: \"data\"", "top: \"data\"", "bottom: \"missing\"", "top: \"\"", "name: \"\"", "name: \"a\\\"b\\n|<c>\"",
  'type: "BatchNorm"', 'type: "BN"', 'type: "Scale"', 'type: "Convolution"', 'type: "InnerProduct"', 'type: "Nope"',
  "scale_param { bias_term: false }", "bias_term: true", "convolution_param { num_output: 0 }", "convolution_param { num_output: 3 kernel_size: 0 }",
  "bn_param { frozen: true }", "bn_param { momentum: 2 }", "bn_mode: LEARN", "bn_mode: INFERENCE", "phase: TRAIN",
  "input: \"data\"", "input_dim: 0", "input_dim: 1", "input_shape { dim: 1 }", "input_shape { dim: 2 dim: 0 dim: 3 dim: 3 }",
  "blobs { shape { dim: 3 } data: 1 data: 2 data: 3 }", "blobs { shape { dim: 0 } }", "state { phase: TRAIN }",
  "# caffe2torch-disable-next-line", "# caffe2torch-disable", "# caffe2torch-enable", "unknown_field: 1", "layers { name: \"v1\" type: RELU }",
];

/**
 * A mutation that keeps the text format mostly intact: a field inserted or a line deleted or
 * duplicated at a line boundary, or a number replaced (see mutateOnce's last case).
 * @param {Uint8Array} bytes
 * @param {() => number} random
 */
export function mutateGently(bytes, random) {
  const b = Buffer.from(bytes);
  const starts = [0];
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) starts.push(i + 1);
  const line = starts[below(random, starts.length)] ?? 0;
  const next = b.indexOf(10, line);
  const end = next === -1 ? b.length : next + 1;
  // Only lines without braces are dropped or doubled, so the nesting stays balanced.
  const braces = b.subarray(line, end).some((c) => c === 0x7b || c === 0x7d);
  switch (braces ? 0 : below(random, 4)) {
    case 0:
    case 1: {
      const field = FIELDS[below(random, FIELDS.length)] ?? "";
      return { bytes: Buffer.concat([b.subarray(0, line), Buffer.from(`${field}\n`), b.subarray(line)]), how: `field@${line}:${JSON.stringify(field).slice(0, 40)}` };
    }
    case 2:
      return { bytes: Buffer.concat([b.subarray(0, line), b.subarray(end)]), how: `dropline@${line}` };
    default:
      return { bytes: Buffer.concat([b.subarray(0, end), b.subarray(line, end), b.subarray(end)]), how: `dupline@${line}` };
  }
}

/**
 * Bit flips and, now and then, a truncation: for binary caffemodels, where inserting text only
 * tests the first error path.
 * @param {Uint8Array} bytes
 * @param {() => number} random
 */
export function mutateBinary(bytes, random) {
  const b = Buffer.from(bytes);
  const hows = [];
  const flips = 1 + below(random, 8);
  for (let k = 0; k < flips && b.length > 0; k++) {
    const i = below(random, b.length);
    b[i] = (b[i] ?? 0) ^ (1 << below(random, 8));
    hows.push(`flip@${i}`);
  }
  if (below(random, 5) === 0) {
    const at = below(random, b.length + 1);
    hows.push(`truncate@${at}`);
    return { bytes: b.subarray(0, at), how: hows.join(", ") };
  }
  return { bytes: b, how: hows.join(", ") };
}

/**
 * 1 to `max` mutations in a row; about half the time gentle ones only (see mutateGently).
 * @param {Uint8Array} bytes
 * @param {Uint8Array} other
 * @param {() => number} random
 * @param {number} [max]
 */
export function mutate(bytes, other, random, max = 4) {
  let out = bytes;
  const hows = [];
  const count = 1 + below(random, max);
  const gentle = random() < 0.5;
  for (let i = 0; i < count; i++) {
    const m = gentle ? mutateGently(out, random) : mutateOnce(out, other, random);
    out = m.bytes;
    hows.push(m.how);
  }
  return { bytes: out, how: hows.join(", ") };
}
