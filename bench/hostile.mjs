// Issue 7: hostile and extreme input. A 200 MB prototxt through `encode` (time and peak memory
// against a target proportional to the input), and linear time: the same kind of hostile file
// at n, 2n and 4n, whose time should double with n (t(4n)/t(n) near 4, never near 16).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, summarise, timeProcess } from "./lib.mjs";
import { makeBigPrototxt } from "./prototxt-encode.mjs";

const MiB = 2 ** 20;

/** The inputs of the scaling runs, by name: n → text. */
const KINDS = {
  // Unknown fields with did-you-mean suggestions: one error each (300,000 at 4n).
  "unknown fields": (n) => 'layer { nmae: "a" tpye: "ReLU" bottomz: "x" }\n'.repeat(n),
  // Distinct misspellings: no suggestion can be reused.
  "distinct unknown names": (n) => Array.from({ length: n }, (_, i) => `layer { n${i.toString(36)}: 1 }\n`).join(""),
  // Nesting far past the limit, unclosed.
  "nesting": (n) => "layer {".repeat(n * 4),
  // One long line of junk tokens.
  "junk on one line": (n) => "; 1 ] } ".repeat(n * 4),
};

function timeCommand(args, rounds) {
  return summarise(Array.from({ length: rounds }, () => timeProcess("node", [BIN, ...args], { okStatus: [0, 1, 2] })));
}

export function run(rounds = 3) {
  const results = [];

  // 200 MB: the 20 MB benchmark net's layers repeated ten times more.
  const big = makeBigPrototxt(6200, "resnet50-x6200.prototxt");
  const sizeMiB = 200_000_000 / MiB;
  const encode = timeCommand(["encode", big, "-o", join(OUT, "big.pb")], rounds);
  const targetMiB = 3 * sizeMiB + 64;
  results.push({
    name: "encode 200 MB prototxt",
    input: `${sizeMiB.toFixed(1)} MiB text`,
    ours: encode,
    targets: `peak ≤ 3 × input + 64 MiB (${targetMiB.toFixed(0)} MiB)`,
    met: (encode.peakMiB ?? 0) <= targetMiB,
  });

  const base = 50_000;
  for (const [kind, make] of Object.entries(KINDS)) {
    const times = [];
    for (const k of [1, 2, 4]) {
      const path = join(OUT, `hostile-${kind.replace(/ /g, "-")}-${k}.prototxt`);
      writeFileSync(path, make(base * k));
      times.push(timeCommand(["encode", path], rounds));
    }
    const ratio = times[2].medianS / times[0].medianS;
    results.push({
      name: `encode, ${kind}: n, 2n, 4n`,
      ours: times[2],
      scaling: times.map((t) => t.medianS),
      peaksMiB: times.map((t) => t.peakMiB),
      targets: "t(4n) / t(n) ≤ 5 (linear; Node's start-up makes it smaller)",
      ratio,
      met: ratio <= 5,
    });
  }
  // lint --fix-dry-run with three fixes per layer (BatchNorm lr_mult), 5,000 … 20,000 layers.
  const lintTimes = [];
  for (const k of [1, 2, 4]) {
    const path = join(OUT, `hostile-lint-fixes-${k}.prototxt`);
    const layer = (i) => `layer { name: "bn${i}" type: "BatchNorm" bottom: "data" top: "bn${i}"\n  param { lr_mult: 1 } param { lr_mult: 1 } param { lr_mult: 1 }\n}\n`;
    writeFileSync(path, 'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 4 dim: 4 }\n' + Array.from({ length: 5000 * k }, (_, i) => layer(i)).join(""));
    lintTimes.push(timeCommand(["lint", "--fix-dry-run", path], rounds));
  }
  const lintRatio = lintTimes[2].medianS / lintTimes[0].medianS;
  results.push({
    name: "lint --fix-dry-run, 15,000 … 60,000 fixes: n, 2n, 4n",
    ours: lintTimes[2],
    scaling: lintTimes.map((t) => t.medianS),
    peaksMiB: lintTimes.map((t) => t.peakMiB),
    targets: "t(4n) / t(n) ≤ 5",
    ratio: lintRatio,
    met: lintRatio <= 5,
  });
  return results;
}
