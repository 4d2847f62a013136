// The slowest test files and tests of a vitest JSON report (`vitest run --reporter=json
// --outputFile=FILE`), as bench/loaded-test-run.sh writes it. Durations are wall times inside the
// worker: with two workers they overlap, so they add up to more than the run.
//
//   node bench/slowest-tests.mjs REPORT.json [N]
import { readFileSync } from "node:fs";

const [path, n = "15"] = process.argv.slice(2);
if (path === undefined) {
  console.error("usage: node bench/slowest-tests.mjs REPORT.json [N]");
  process.exit(2);
}
const report = JSON.parse(readFileSync(path, "utf8"));
const name = (f) => f.name.replace(/^.*?\/test\//, "test/");
const files = report.testResults.map((f) => ({ name: name(f), seconds: (f.endTime - f.startTime) / 1000, tests: f.assertionResults.length }));
files.sort((a, b) => b.seconds - a.seconds);
const total = files.reduce((sum, f) => sum + f.seconds, 0);
const end = Math.max(...report.testResults.map((f) => f.endTime));
console.log(`${files.length} files, ${report.numTotalTests} tests; run ${((end - report.startTime) / 1000).toFixed(0)} s, files ${total.toFixed(0)} s in all`);
for (const f of files.slice(0, Number(n))) console.log(`${f.seconds.toFixed(1).padStart(6)} s ${String(f.tests).padStart(4)} tests  ${f.name}`);
const tests = report.testResults.flatMap((f) => f.assertionResults.map((t) => ({ file: name(f), title: t.title, seconds: (t.duration ?? 0) / 1000 })));
tests.sort((a, b) => b.seconds - a.seconds);
console.log("slowest tests:");
for (const t of tests.slice(0, Math.ceil(Number(n) / 2))) console.log(`${t.seconds.toFixed(1).padStart(6)} s  ${t.file}: ${t.title.slice(0, 100)}`);
