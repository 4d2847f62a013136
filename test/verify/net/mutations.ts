/**
 * One mapping broken at a time in the emitted model (issue 14, part 4): `verify --net` must name
 * exactly that layer as the first divergent one, and say why. Each mutation breaks the graph or the
 * state (what our PyTorch executor runs, and what model.py is emitted from); `text`, where given,
 * breaks the emitted model.py itself instead, for the real PyTorch run.
 */
import { flipKernels, nodeOf, setState, type GraphMutation } from "./golden.js";

export interface NetMutation {
  title: string;
  case: string;
  /** The layer that must be named first. */
  layer: string;
  /** What the likely cause must say. */
  cause: RegExp;
  mutation: GraphMutation;
  /** A text of model.py and its replacement (the real-PyTorch run mutates the file, not the graph). */
  text?: [string, string];
}

/** The [N, K] weight read as a [K, N] matrix and transposed: a transposed InnerProduct. */
function readTransposed(shape: readonly number[], data: Float32Array): Float32Array {
  const [n, k] = shape as [number, number];
  const out = new Float32Array(data.length);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out[j * k + i] = data[i * n + j]!;
  return out;
}

export const MUTATIONS: readonly NetMutation[] = [
  {
    title: "pooling that floors instead of rounding up",
    case: "zoo_pool",
    layer: "max_k3s2_even",
    cause: /rounds pooled sizes up|pooled size/,
    mutation: { graph: (g) => void delete nodeOf(g, "max_k3s2_even").module!.kwargs["ceil_mode"] },
    text: ["nn.MaxPool2d(3, stride=2, ceil_mode=True)", "nn.MaxPool2d(3, stride=2)"],
  },
  {
    title: "an LRN whose alpha is not divided by local_size",
    case: "zoo_norm",
    layer: "lrn_across",
    cause: /divides alpha by local_size/,
    mutation: { graph: (g) => void (nodeOf(g, "lrn_across").module!.kwargs["alpha"] = { raw: "2.5" }) },
    text: ["nn.LocalResponseNorm(5, alpha=0.5,", "nn.LocalResponseNorm(5, alpha=2.5,"],
  },
  {
    title: "an InnerProduct weight transposed",
    case: "zoo_tensor",
    layer: "ip4d",
    cause: /InnerProduct weight transposed/,
    mutation: {
      state: (w) => {
        const t = w.state.get("ip4d.weight")!;
        setState(w, "ip4d.weight", readTransposed(t.shape, t.data));
      },
    },
  },
  {
    title: "an Eltwise SUM whose coeff is dropped",
    case: "zoo_tensor",
    layer: "eltwise_sum",
    cause: /Eltwise coeff dropped/,
    mutation: { graph: (g) => void (nodeOf(g, "eltwise_sum").call = { kind: "expr", expr: "{0} + {1}" }) },
    text: ["esum = data * 0.5 - cat_c", "esum = data + cat_c"],
  },
  {
    title: "a BatchNorm whose eps is dropped (PyTorch's 1e-5 for Caffe's 1e-3)",
    case: "zoo_norm",
    layer: "bn_eps",
    cause: /BatchNorm eps/,
    mutation: { graph: (g) => void delete nodeOf(g, "bn_eps").module!.kwargs["eps"] },
    text: ["nn.BatchNorm2d(6, eps=0.001, momentum=0.001, affine=False)", "nn.BatchNorm2d(6, momentum=0.001, affine=False)"],
  },
  {
    title: "a Deconvolution kernel flipped",
    case: "zoo_conv",
    layer: "deconv",
    cause: /Deconvolution kernel flipped/,
    mutation: {
      state: (w) => {
        const t = w.state.get("deconv.weight")!;
        setState(w, "deconv.weight", flipKernels(t.shape, t.data));
      },
    },
  },
  {
    title: "a Crop offset off by one",
    case: "zoo_tensor",
    layer: "crop",
    cause: /Crop offset/,
    mutation: {
      graph: (g) => {
        const node = nodeOf(g, "crop");
        if (node.call.kind !== "expr") throw new Error("crop is not an expression");
        node.call = { kind: "expr", expr: node.call.expr.replace("1:1 + ", "2:2 + ") };
      },
    },
    text: ["data[:, :, 1:1 + pool_ref.shape[2]", "data[:, :, 2:2 + pool_ref.shape[2]"],
  },
  {
    title: "a Softmax over the wrong axis",
    case: "zoo_tensor",
    layer: "softmax",
    cause: /Softmax axis/,
    mutation: { graph: (g) => void (nodeOf(g, "softmax").module!.kwargs["dim"] = 2) },
    text: ["self.softmax = nn.Softmax(dim=1)", "self.softmax = nn.Softmax(dim=2)"],
  },
];
