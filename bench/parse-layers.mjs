// In-process cost of each layer of `encode` on one text, best of N runs (so JIT warm-up and
// machine noise count less): scanner alone, parser into a sink that drops everything, parser
// into the schema checks with bytes written (encodeText). For performance work.
// Usage: node bench/parse-layers.mjs INPUT [RUNS]
import { readFileSync } from "node:fs";
import { Scanner } from "../dist/textproto/scanner.js";
import { parseInto } from "../dist/textproto/parser.js";
import { encodeText } from "../dist/schema/encode-sink.js";
import { loadCaffeSchema } from "../dist/schema/load.js";

const [input = "/tmp/big.prototxt", runs = "5"] = process.argv.slice(2);
const text = readFileSync(input, "utf8");
const net = loadCaffeSchema().message("caffe.NetParameter");
const ignore = () => {};
const nullSink = { openMessage: ignore, closeMessage: ignore, scalar: ignore, openList: ignore, listScalar: ignore, listOpenMessage: ignore, closeList: ignore, missingValue: ignore };

const layers = {
  scanner: () => {
    const s = new Scanner(text, [], []);
    let n = 0;
    while (s.next() !== 0) n++;
    return n;
  },
  parser: () => parseInto(text, nullSink).diagnostics.length,
  encodeText: () => encodeText(text, net).bytes.length,
};
for (const [name, fn] of Object.entries(layers)) {
  const times = [];
  let result;
  for (let i = 0; i < Number(runs); i++) {
    const t = performance.now();
    result = fn();
    times.push(performance.now() - t);
  }
  console.log(`${name.padEnd(11)} first ${times[0].toFixed(0)} ms, best ${Math.min(...times).toFixed(0)} ms (${result})`);
}
