// In-process phase timings of `encode` (module load, schema load, read, encode) for performance
// work; whole-process comparisons with protoc are in encode-compare.mjs.
// Usage: node bench/encode-phases.mjs INPUT [REPEATS]
import { readFileSync } from "node:fs";

const t0 = performance.now();
const { loadCaffeSchema } = await import("../dist/schema/load.js");
const { encodeNet } = await import("../dist/schema/net-binary.js");
const t1 = performance.now();
loadCaffeSchema();
const t2 = performance.now();
const [input = "/tmp/big.prototxt", repeats = "3"] = process.argv.slice(2);
const text = readFileSync(input, "utf8");
const t3 = performance.now();
console.log(`import ${(t1 - t0).toFixed(1)} ms, schema ${(t2 - t1).toFixed(1)} ms, read ${(t3 - t2).toFixed(1)} ms`);
for (let i = 0; i < Number(repeats); i++) {
  const t = performance.now();
  const r = encodeNet(text);
  console.log(`encode #${i + 1}: ${(performance.now() - t).toFixed(1)} ms, ${r.bytes?.length} bytes`);
}
