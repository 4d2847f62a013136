import { describe, expect, it } from "vitest";
import { weightsFileFor } from "../../src/weights/paths.js";

describe("weightsFileFor", () => {
  it("replaces the module's extension by .safetensors, as the emitted WEIGHTS_FILE does with os.path.splitext", () => {
    expect(weightsFileFor("out/model.py")).toBe("out/model.safetensors");
    expect(weightsFileFor("a.b.py")).toBe("a.b.safetensors");
    expect(weightsFileFor("dir.v2/model")).toBe("dir.v2/model.safetensors");
    expect(weightsFileFor(".hidden")).toBe(".hidden.safetensors");
  });
});
