import { describe, expect, it } from "vitest";
import { parseBool, parseNumber } from "../../src/caffe/param-view.js";
import { bnVariant } from "../../src/caffe/bn-variant.js";
import { buildNet } from "../../src/caffe/net.js";
import { readNet } from "../../src/schema/read.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";

describe("raw scalar reading for fork fields", () => {
  it("reads numbers as protobuf's text format writes them", () => {
    expect(parseNumber("0.95")).toBe(0.95);
    expect(parseNumber("1e-5")).toBe(1e-5);
    expect(parseNumber("1.5f")).toBe(1.5);
    expect(parseNumber(".5")).toBe(0.5);
    expect(parseNumber("0x10")).toBe(16);
    expect(parseNumber("inf")).toBe(Infinity);
    expect(parseNumber("abc")).toBeUndefined();
  });
  it("reads booleans as protobuf's text format accepts them", () => {
    expect([parseBool("true"), parseBool("True"), parseBool("t"), parseBool("1")]).toEqual([true, true, true, true]);
    expect([parseBool("false"), parseBool("False"), parseBool("f"), parseBool("0")]).toEqual([false, false, false, false]);
    expect(parseBool("yes")).toBeUndefined();
  });
});

describe("BatchNorm variant recognition", () => {
  const variantOf = (layer: string) => {
    const read = readNet(`layer { name: "bn" ${layer} }`, { upgrade: true, allowUnknown: true });
    const model = buildNet(read.net as NetParameter, {}, read.sourceMap);
    return bnVariant(model.layers[0]!, read.sourceMap);
  };
  it("takes a plain BatchNorm as BVLC's", () => {
    expect(variantOf(`type: "BatchNorm" batch_norm_param { eps: 0.001 }`)).toEqual({ family: "bvlc" });
  });
  it("takes scale_bias, or a scale/bias filler, as NVIDIA Caffe's BatchNorm", () => {
    expect(variantOf(`type: "BatchNorm" batch_norm_param { scale_bias: true }`).family).toBe("nvcaffe");
    expect(variantOf(`type: "BatchNorm" batch_norm_param { scale_filler { type: "constant" value: 1 } }`).family).toBe("nvcaffe");
    expect(variantOf(`type: "BatchNorm" batch_norm_param { scale_bias: false }`).family).toBe("bvlc");
  });
  it("tells the SegNet/ENet BN from the PSPNet BN by their bn_param fields", () => {
    expect(variantOf(`type: "BN" bn_param { bn_mode: INFERENCE }`)).toEqual({ family: "segnet", mode: "INFERENCE" });
    expect(variantOf(`type: "BN" bn_param { scale_filler { type: "constant" } }`)).toEqual({ family: "segnet", mode: "LEARN" });
    expect(variantOf(`type: "BN" bn_param { frozen: true momentum: 0.95 }`)).toEqual({ family: "pspnet", frozen: true, momentum: 0.95, eps: 1e-5 });
  });
  it("refuses to guess for a BN without bn_param, with mixed fields or with an unknown bn_mode", () => {
    expect(variantOf(`type: "BN"`)).toMatchObject({ family: "unrecognised", reason: "no-bn-param" });
    expect(variantOf(`type: "BN" bn_param { bn_mode: LEARN frozen: true }`)).toMatchObject({ family: "unrecognised", reason: "mixed-fields" });
    expect(variantOf(`type: "BN" bn_param { bn_mode: AUTO_NORM }`)).toMatchObject({ family: "unrecognised", reason: "unknown-bn-mode" });
  });
});
