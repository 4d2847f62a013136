/**
 * The converted state in our executors (src/numeric): each BatchNorm block of trained_small, in
 * eval with the loaded running statistics, reproduces the TEST-phase block outputs Caffe recorded.
 */
import { describe, expect, it } from "vitest";
import type { ConvertBlock } from "../../src/convert/types.js";
import { caffeBatchNormBlobsFrom, caffeBatchNormForward, caffeBatchNormSettings } from "../../src/numeric/caffe-batch-norm.js";
import { caffeScaleForward } from "../../src/numeric/caffe-scale.js";
import { compare } from "../../src/numeric/compare.js";
import { tensor } from "../../src/numeric/tensor.js";
import { createTorchBatchNorm, torchBatchNormForward } from "../../src/numeric/torch-batch-norm.js";
import type { AttachedWeights } from "../../src/weights/attach.js";
import { convertWithWeights, trainedTrace, type TraceTensor } from "./support.js";

/** Agreement required with every recorded block output, as |a − b| / max(1, |b|) (issue 6). */
const BLOCK_TOLERANCE = 1e-5;

const trace = trainedTrace();
const converted = convertWithWeights();

function values(out: AttachedWeights, key: string): Float32Array | undefined {
  return out.state.get(key)?.data as Float32Array | undefined;
}

/** nn.BatchNorm*d in eval() with the converted state, as PyTorch computes it. */
function torchBlock(block: ConvertBlock, input: TraceTensor): Float32Array {
  const key = block.batchnorm;
  const module = createTorchBatchNorm({
    numFeatures: block.torch.num_features!,
    eps: block.torch.eps,
    momentum: block.torch.momentum,
    affine: block.torch.affine,
    runningMean: values(converted, `${key}.running_mean`),
    runningVar: values(converted, `${key}.running_var`),
    ...(block.torch.affine ? { weight: values(converted, `${key}.weight`), bias: values(converted, `${key}.bias`) } : {}),
  });
  module.training = false;
  return torchBatchNormForward(module, tensor(input.shape, input.data)).output.data;
}

/** Caffe's BatchNorm (+ Scale) at TEST, given the converted statistics as sums with s = 1. */
function caffeBlock(block: ConvertBlock, input: TraceTensor): Float32Array {
  const key = block.batchnorm;
  const blobs = caffeBatchNormBlobsFrom(values(converted, `${key}.running_mean`)!, values(converted, `${key}.running_var`)!, 1);
  const settings = caffeBatchNormSettings({ eps: block.caffe.eps, useGlobalStats: true }, "TEST");
  const top = caffeBatchNormForward(tensor(input.shape, input.data), blobs, settings).top;
  if (!block.torch.affine) return top.data;
  return caffeScaleForward(top, values(converted, `${key}.weight`)!, values(converted, `${key}.bias`)!).data;
}

describe("the converted trained_small state in the TypeScript executors", () => {
  const cases = trace.eval.batches.flatMap((batch, b) => converted.result.blocks.map((block) => ({ b, block, rec: batch.bn[block.batchnorm]! })));

  it("covers every recorded block of both batches", () => {
    expect(cases.map((c) => `${c.b}:${c.block.batchnorm}`)).toEqual(["0:bn1", "0:bn2", "0:bn3", "1:bn1", "1:bn2", "1:bn3"]);
  });

  it.each(cases.map((c) => [`batch ${c.b} ${c.block.batchnorm}`, c] as const))(
    "PyTorch's eval BatchNorm reproduces the recorded block output of %s",
    (_, { block, rec }) => {
      const result = compare({ shape: rec.block_output.shape, data: torchBlock(block, rec.bottom) }, rec.block_output);
      expect(result.shapeMismatch).toBe(false);
      expect(result.maxError).toBeLessThanOrEqual(BLOCK_TOLERANCE);
    },
  );

  it.each(cases.map((c) => [`batch ${c.b} ${c.block.batchnorm}`, c] as const))(
    "Caffe's BatchNorm and Scale with the converted statistics reproduce the recorded block output of %s",
    (_, { block, rec }) => {
      const result = compare({ shape: rec.block_output.shape, data: caffeBlock(block, rec.bottom) }, rec.block_output);
      expect(result.maxError).toBeLessThanOrEqual(BLOCK_TOLERANCE);
    },
  );
});
