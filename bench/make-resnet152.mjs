// Builds a ResNet-152-shaped deploy prototxt from the corpus ResNet-50 one (for timing `lint`
// cold on a realistic large single file): stage 3 gets 8 blocks and stage 4 gets 36, named as
// in KaimingHe's ResNet-152 (res3b1…res3b7, res4b1…res4b35), with the blob chain kept valid.
// Usage: node bench/make-resnet152.mjs OUT.prototxt
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SHARED } from "./lib.mjs";

export function makeResNet152() {
  const src = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const first = src.search(/^layer\s*\{/m);
  const layers = src.slice(first).split(/(?=^layer\s*\{)/m);
  const blockOf = (layer) => /name: "(?:res|bn|scale)(\d)([a-z])(?:_|")/.exec(layer)?.slice(1).join("") ?? "";
  const out = [src.slice(0, first)];
  const extra = { 3: 7, 4: 35 };
  const last = { 3: "d", 4: "f" };
  for (let i = 0; i < layers.length; i++) {
    const block = blockOf(layers[i]);
    const stage = block[0];
    if (extra[stage] && block[1] > "b" && block[1] <= last[stage]) continue; // replaced by the b1… chain
    if (extra[stage] && block[1] === "b") {
      // The whole b block, cloned as b1…bN, each reading the previous block's output.
      const group = [];
      while (i < layers.length && blockOf(layers[i]) === block) group.push(layers[i++]);
      i--;
      const text = group.join("");
      let prev = `res${stage}a`;
      for (let k = 1; k <= extra[stage]; k++) {
        const name = `${stage}b${k}`;
        out.push(text.replaceAll(`"res${stage}a"`, `"${prev}"`).replaceAll(`${stage}b_`, `${name}_`).replaceAll(`"res${stage}b"`, `"res${name}"`));
        prev = `res${name}`;
      }
      continue;
    }
    out.push(layers[i].replaceAll(`"res${+stage - 1}${last[+stage - 1] ?? "?"}"`, `"res${+stage - 1}b${extra[+stage - 1]}"`));
  }
  return out.join("");
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(process.argv[2] ?? "/tmp/resnet152.prototxt", makeResNet152());
