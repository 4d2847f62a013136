import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, it, expect } from "vitest";
import protobuf from "protobufjs";

const protoPath = fileURLToPath(new URL("../../proto/caffe.proto", import.meta.url));
const protoDir = path.dirname(protoPath);

const protocAvailable = !spawnSync("protoc", ["--version"], { encoding: "utf8" }).error;
const inCI = process.env.CI === "true";

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(protoPath, { keepCase: true });
  root.resolveAll();
  return root;
}

function field(root: protobuf.Root, typeName: string, fieldName: string): protobuf.Field {
  const found = root.lookupType(`caffe.${typeName}`).fields[fieldName];
  if (!found) throw new Error(`caffe.${typeName}.${fieldName} is not declared`);
  return found;
}

describe("proto/caffe.proto", () => {
  if (inCI) {
    it("has protoc available when running in CI", () => {
      expect(protocAvailable).toBe(true);
    });
  }

  it.skipIf(!protocAvailable && !inCI)("is accepted by protoc", () => {
    const result = spawnSync(
      "protoc",
      [`--proto_path=${protoDir}`, "--descriptor_set_out=/dev/null", protoPath],
      { encoding: "utf8" },
    );
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("loads in protobufjs with keepCase and resolves every type", () => {
    const root = loadRoot();
    const caffe = root.lookup("caffe") as protobuf.Namespace;
    expect(caffe.nestedArray.length).toBeGreaterThan(60);
    expect(root.lookupType("caffe.NetParameter").fields["force_backward"]).toBeDefined();
  });

  it("declares BatchNormParameter as BVLC Caffe does", () => {
    const root = loadRoot();
    const useGlobal = field(root, "BatchNormParameter", "use_global_stats");
    expect([useGlobal.id, useGlobal.type, useGlobal.options?.["default"]]).toEqual([1, "bool", undefined]);
    const fraction = field(root, "BatchNormParameter", "moving_average_fraction");
    expect([fraction.id, fraction.type]).toEqual([2, "float"]);
    expect(fraction.options?.["default"]).toBeCloseTo(0.999, 12);
    const eps = field(root, "BatchNormParameter", "eps");
    expect([eps.id, eps.type]).toEqual([3, "float"]);
    expect(eps.options?.["default"]).toBeCloseTo(1e-5, 15);
  });

  it("numbers the BatchNorm, Scale and Bias parameters of LayerParameter as Caffe does", () => {
    const root = loadRoot();
    expect(field(root, "LayerParameter", "batch_norm_param").id).toBe(139);
    expect(field(root, "LayerParameter", "bias_param").id).toBe(141);
    expect(field(root, "LayerParameter", "scale_param").id).toBe(142);
    expect(field(root, "LayerParameter", "swish_param").id).toBe(147);
    expect(field(root, "LayerParameter", "clip_param").id).toBe(148);
  });

  it("keeps both the current and the legacy layer lists of NetParameter", () => {
    const root = loadRoot();
    const layer = field(root, "NetParameter", "layer");
    expect([layer.id, layer.repeated, layer.type]).toEqual([100, true, "LayerParameter"]);
    const layers = field(root, "NetParameter", "layers");
    expect([layers.id, layers.repeated, layers.type]).toEqual([2, true, "V1LayerParameter"]);
  });

  it("stores blob values and shapes as packed repeated fields", () => {
    const root = loadRoot();
    const data = field(root, "BlobProto", "data");
    expect([data.id, data.type, data.repeated, data.packed]).toEqual([5, "float", true, true]);
    const dim = field(root, "BlobShape", "dim");
    expect([dim.id, dim.type, dim.repeated, dim.packed]).toEqual([1, "int64", true, true]);
  });

  it("has no BATCHNORM value in the legacy V1 layer type enum, like BVLC master", () => {
    const root = loadRoot();
    const layerType = root.lookupEnum("caffe.V1LayerParameter.LayerType");
    expect(layerType.values["CONVOLUTION"]).toBe(4);
    expect(layerType.values["BATCHNORM"]).toBeUndefined();
  });

  it("numbers the phases TRAIN = 0 and TEST = 1", () => {
    const root = loadRoot();
    expect(root.lookupEnum("caffe.Phase").values).toEqual({ TRAIN: 0, TEST: 1 });
  });

  it("defaults pooling to ceil rounding, unlike PyTorch", () => {
    const root = loadRoot();
    const roundMode = field(root, "PoolingParameter", "round_mode");
    expect([roundMode.id, roundMode.options?.["default"]]).toEqual([13, "CEIL"]);
  });
});
