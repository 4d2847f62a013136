import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  assignKeys,
  isReservedKey,
  isSafeKey,
  sanitiseKey,
} from "../../src/convert/names.js";
import { HOSTILE_NAMES } from "./fixtures.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { useTorchSession } from "../helpers/torch-session.js";

const CHECKER = fileURLToPath(new URL("./check_module.py", import.meta.url));
const python = useTorchSession();
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

describe("sanitiseKey", () => {
  it("keeps a name that is already a safe identifier", () => {
    expect(sanitiseKey("conv1_bn")).toBe("conv1_bn");
    expect(sanitiseKey("bn__2")).toBe("bn__2");
  });

  it("replaces each other ASCII character with _", () => {
    expect(sanitiseKey("a/b")).toBe("a_b");
    expect(sanitiseKey("a.b")).toBe("a_b");
    expect(sanitiseKey("res2a_branch2a/bn-x")).toBe("res2a_branch2a_bn_x");
    expect(sanitiseKey('x"y\\z\n')).toBe("x_y_z_");
  });

  it("writes non-ASCII code points as u<hex>, set off by _", () => {
    expect(sanitiseKey("名前")).toBe("u540d_u524d");
    expect(sanitiseKey("bn名")).toBe("bn_u540d");
    expect(sanitiseKey("🙂")).toBe("u1f642");
  });

  it("puts layer_ in front of names starting with a digit or _, and names empty ones layer", () => {
    expect(sanitiseKey("1x")).toBe("layer_1x");
    expect(sanitiseKey("_modules")).toBe("layer__modules");
    expect(sanitiseKey("`")).toBe("layer__");
    expect(sanitiseKey("")).toBe("layer");
  });

  it("appends _ to Python keywords and ModuleDict attributes", () => {
    expect(sanitiseKey("class")).toBe("class_");
    expect(sanitiseKey("None")).toBe("None_");
    expect(sanitiseKey("training")).toBe("training_");
    expect(sanitiseKey("keys")).toBe("keys_");
    expect(sanitiseKey("state_dict")).toBe("state_dict_");
  });

  it("always gives a safe identifier", () => {
    for (const name of HOSTILE_NAMES) {
      const key = sanitiseKey(name);
      expect(key).toMatch(IDENTIFIER);
      expect(isReservedKey(key)).toBe(false);
      expect(isSafeKey(key)).toBe(true);
    }
  });
});

describe("assignKeys", () => {
  it("gives every name a distinct safe key, in order", () => {
    const keys = assignKeys(HOSTILE_NAMES);
    expect(keys).toHaveLength(HOSTILE_NAMES.length);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(isSafeKey(key)).toBe(true);
  });

  it("lets a name that is already safe keep its key even when an earlier name sanitises to it", () => {
    expect(assignKeys(["a/b", "a_b", "a.b"])).toEqual(["a_b_2", "a_b", "a_b_3"]);
  });

  it("numbers duplicate names from _2 and skips suffixes already taken", () => {
    expect(assignKeys(["bn", "bn", "bn_2", "bn"])).toEqual(["bn", "bn_3", "bn_2", "bn_4"]);
  });

  it("is deterministic", () => {
    expect(assignKeys(HOSTILE_NAMES)).toEqual(assignKeys([...HOSTILE_NAMES]));
  });

  it("does not rename a layer called layer_1x because of a layer called 1x", () => {
    expect(assignKeys(["1x", "layer_1x"])).toEqual(["layer_1x_2", "layer_1x"]);
  });
});

describe("reserved keys under real PyTorch", () => {
  it.skipIf(skipWithoutTorch)("cover every public attribute of the installed torch.nn.ModuleDict", async () => {
    requireTorch();
    const attributes = await python.call<string[]>(CHECKER, "attributes");
    expect(attributes.length).toBeGreaterThan(20);
    expect(attributes.filter((a) => !isReservedKey(a))).toEqual([]);
  });
});
