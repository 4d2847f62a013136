/**
 * Real `verify --net` results for report tests: a golden net whose emitted model has one layer's
 * weights misread (scaled by 1.5), run through both executors as `verify --net --weights` runs it.
 */
import { executeTorchGraph } from "../../src/execute/torch/index.js";
import type { NetVerification } from "../../src/verify/net-types.js";
import { runCaffeSide, runTorchSide, verifyLayers } from "../../src/verify/net/run.js";
import { goldenNet, nodeOf, setState } from "../verify/net/golden.js";

/** The verification of golden case `name` with the weight of `layer` misread in the PyTorch model. */
export function verificationWithWrongWeight(name: string, layer: string): NetVerification {
  const net = goldenNet(name, {
    state: (weights, graph) => {
      const key = nodeOf(graph, layer).params[0]!.key!;
      setState(weights, key, weights.state.get(key)!.data.map((v) => v * 1.5));
    },
  });
  const caffe = runCaffeSide(net.setup);
  if (caffe.failure) throw new Error(`the Caffe executor stopped: ${caffe.failure.message}`);
  return verifyLayers(net.setup, caffe.reference, runTorchSide(net.setup, executeTorchGraph), { against: "torch-executor", state: net.weights.state });
}
