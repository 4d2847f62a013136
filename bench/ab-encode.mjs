// A/B comparison of two builds' in-process encode time on one text, for performance work on a
// noisy machine: the builds alternate, each round runs both, and the per-round ratio B/A is
// reported (slow drifts of the machine cancel out in it).
// Usage: node bench/ab-encode.mjs DIST_A DIST_B [INPUT] [ROUNDS]   (DIST_* are dist/ folders)
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const [a, b, input = "/tmp/big.prototxt", rounds = "7"] = process.argv.slice(2);
if (process.env.AB_CHILD) {
  const { readFileSync } = await import("node:fs");
  const { encodeText } = await import(resolve(process.env.AB_CHILD, "schema/encode-sink.js"));
  const { loadCaffeSchema } = await import(resolve(process.env.AB_CHILD, "schema/load.js"));
  const text = readFileSync(input, "utf8");
  const net = loadCaffeSchema().message("caffe.NetParameter");
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = process.cpuUsage();
    encodeText(text, net);
    const d = process.cpuUsage(t);
    times.push((d.user + d.system) / 1000);
  }
  console.log(JSON.stringify({ first: times[0], best: Math.min(...times) }));
} else {
  const run = (dist) => JSON.parse(spawnSync(process.execPath, [process.argv[1], a, b, input], { env: { ...process.env, AB_CHILD: resolve(dist) } }).stdout.toString());
  const rows = [];
  for (let i = 0; i < Number(rounds); i++) {
    const [ra, rb] = i % 2 ? [run(a), run(b)].reverse().reverse() : [run(a), run(b)];
    rows.push({ a: ra, b: rb });
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const k of ["first", "best"]) {
    console.log(`${k.padEnd(5)} cpu ms: A median ${med(rows.map((r) => r.a[k])).toFixed(0)}, B median ${med(rows.map((r) => r.b[k])).toFixed(0)}, ` +
      `B/A per round median ${med(rows.map((r) => r.b[k] / r.a[k])).toFixed(3)}`);
  }
}
