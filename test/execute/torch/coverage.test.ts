import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELPERS } from "../../../src/emit/python/helpers/index.js";
import { executedClasses } from "../../../src/execute/torch/index.js";
import { ROOT } from "../../helpers/paths.js";

const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith(".ts") ? [join(dir, n)] : []));

/** Every `"nn.X"` class name written in src/convert (the modules converters put into model.py). */
const convertClasses = [...new Set(files(join(ROOT, "src", "convert")).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/"(nn\.[A-Za-z0-9]+)"/g)].map((m) => m[1]!)))].sort();

/** Helper classes model.py defines (functions and the stub are not modules the forward calls). */
const helperClasses = Object.keys(HELPERS).filter((name) => /^[A-Z]/.test(name) && name !== "CaffeLayerStub");

describe("the module classes the executor runs", () => {
  const executed = new Set(executedClasses());

  it("include every nn class a converter writes (the BatchNorm and convolution classes by their names)", () => {
    expect(convertClasses.length).toBeGreaterThan(10);
    const built = ["1d", "2d", "3d"].flatMap((d) => [`nn.BatchNorm${d}`, `CaffeBatchNorm${d}`, `nn.Conv${d}`, `nn.ConvTranspose${d}`]);
    expect([...convertClasses, ...built].filter((c) => !executed.has(c))).toEqual([]);
  });

  it("include every helper class of src/emit/python/helpers except the stub (which raises in PyTorch too)", () => {
    expect(helperClasses.filter((c) => !executed.has(c))).toEqual([]);
  });
});
