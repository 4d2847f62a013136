import type { BlobLayout, FillerSpec, ParamBinding, TorchGraph } from "../../convert/torch-graph.js";
import { pyFloat, pyStringBody } from "../python-literals.js";

/** What `init_caffe_fillers` needs besides torch: helper functions and `import math`. */
export interface FillersSource {
  source: string;
  helpers: Set<string>;
  math: boolean;
}

const num = (x: number): string => (Number.isInteger(x) && Math.abs(x) < 2 ** 53 ? String(x) : pyFloat(x));
const float = (x: number): string => pyFloat(x);
const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * XavierFiller's and MSRAFiller's n (filler.hpp): fan_in = count / shape[0], fan_out = count /
 * shape[1] (count for a 1-D blob), and (fan_in + fan_out) / 2 for AVERAGE.
 */
export function fillerFan(shape: readonly number[], norm: FillerSpec["varianceNorm"]): { n: number; text: string } {
  const count = product(shape);
  const fanIn = shape.length > 0 && shape[0]! > 0 ? Math.trunc(count / shape[0]!) : count;
  const fanOut = shape.length > 1 && shape[1]! > 0 ? Math.trunc(count / shape[1]!) : count;
  if (norm === "FAN_OUT") return { n: fanOut, text: "n = fan_out" };
  if (norm === "AVERAGE") return { n: (fanIn + fanOut) / 2, text: "n = (fan_in + fan_out) / 2" };
  return { n: fanIn, text: "n = fan_in" };
}

/** The tensor as Caffe lays out the blob, for fillers whose values depend on the position. */
function caffeView(tensor: string, layout: BlobLayout, caffeShape: readonly number[] | null): string {
  if (layout.kind === "transpose") return `${tensor}.t()`;
  if (layout.kind === "reshape" && caffeShape !== null) return `${tensor}.view(${caffeShape.length === 1 ? `(${caffeShape[0]},)` : `(${caffeShape.join(", ")})`})`;
  return tensor;
}

/** The statement filling one parameter, as Caffe's filler of that type would (see filler.hpp). */
function fillerLine(b: ParamBinding, filler: FillerSpec, out: FillersSource): string {
  const tensor = `net.${b.key!}`;
  const caffeShape = b.caffeShape ?? b.shape ?? [];
  const refused = (why: string): string => `# ${tensor}: ${why}; it keeps PyTorch's initial value`;
  switch (filler.type) {
    case "constant":
      return `${tensor}.fill_(${float(filler.value)})`;
    case "uniform":
      // caffe_rng_uniform: CHECK_LE(a, b).
      if (!(filler.min <= filler.max)) return refused(`Caffe refuses a uniform filler with min ${float(filler.min)} above max ${float(filler.max)}`);
      return `${tensor}.uniform_(${float(filler.min)}, ${float(filler.max)}, generator=g)`;
    case "gaussian": {
      // caffe_rng_gaussian: CHECK_GT(sigma, 0).
      if (!(filler.std > 0)) return refused(`Caffe refuses a gaussian filler with std ${float(filler.std)} (it must be above 0)`);
      const normal = `${tensor}.normal_(${float(filler.mean)}, ${float(filler.std)}, generator=g)`;
      if (filler.sparse < 0) return normal;
      // GaussianFiller: keep probability sparse / num_outputs, num_outputs = shape(0); caffe_rng_bernoulli checks p <= 1.
      const outputs = caffeShape[0] ?? 1;
      const p = filler.sparse / outputs;
      if (p > 1) return refused(`Caffe refuses sparse ${filler.sparse} with ${outputs} outputs (the keep probability ${float(p)} is above 1)`);
      out.helpers.add("caffe_sparse_");
      return `caffe_sparse_(${normal}, ${float(p)}, g)  # sparse ${filler.sparse} of ${outputs} outputs`;
    }
    case "xavier":
    case "msra": {
      const { n, text } = fillerFan(caffeShape, filler.varianceNorm);
      out.math = true;
      if (filler.type === "xavier") return `${tensor}.uniform_(-math.sqrt(3 / ${num(n)}), math.sqrt(3 / ${num(n)}), generator=g)  # xavier, ${text}`;
      return `${tensor}.normal_(0.0, math.sqrt(2 / ${num(n)}), generator=g)  # msra, ${text}`;
    }
    case "bilinear":
      out.helpers.add("caffe_bilinear_");
      return `caffe_bilinear_(${caffeView(tensor, b.layout, b.caffeShape)})`;
    case "positive_unitball":
      out.helpers.add("caffe_positive_unitball_");
      return `caffe_positive_unitball_(${caffeView(tensor, b.layout, b.caffeShape)}, g)`;
    default:
      return refused(`Caffe has no filler "${pyStringBody(filler.type)}" (it stops with "Unknown filler name")`);
  }
}

/**
 * `init_caffe_fillers(net, seed=0)`: one statement per parameter, in Caffe's layer and blob
 * order, filling it as the prototxt's filler (or the layer's default filler) would, from one
 * seeded torch.Generator. A parameter that shares a `param { name }` with an earlier one
 * starts as a copy of it, as Caffe's shared blobs do. Buffers (BatchNorm statistics) are left
 * alone.
 */
export function initFillersSource(graph: TorchGraph): FillersSource {
  const out: FillersSource = { source: "", helpers: new Set(), math: false };
  const lines: string[] = [];
  const shared = new Map<string, ParamBinding>();
  for (const node of graph.nodes) {
    for (const b of node.params) {
      if (b.key === null || b.kind !== "parameter" || b.filler === null) continue;
      const shape = b.shape ?? b.caffeShape;
      if (shape !== null && product(shape) === 0) continue;
      const owner = b.shareName === null ? undefined : shared.get(b.shareName);
      if (owner && owner.key !== b.key && JSON.stringify(owner.shape) === JSON.stringify(b.shape)) {
        lines.push(`net.${b.key}.copy_(net.${owner.key!})  # a shared Caffe parameter`);
        continue;
      }
      if (b.shareName !== null && !owner) shared.set(b.shareName, b);
      lines.push(fillerLine(b, b.filler, out));
    }
  }
  const body = lines.length === 0 ? ["    return net"] : ["    g = torch.Generator().manual_seed(seed)", "    with torch.no_grad():", ...lines.map((l) => `        ${l}`), "    return net"];
  out.source = [
    "def init_caffe_fillers(net, seed=0):",
    '    """Initialise net\'s parameters as the prototxt\'s fillers would (each layer\'s default',
    "    filler where none is written), drawing from a torch.Generator seeded with seed.",
    "",
    "    The distributions are Caffe's; the random numbers are not (Caffe's stream cannot be",
    "    reproduced). Buffers keep PyTorch's initial values (BatchNorm: mean 0, variance 1).",
    '    """',
    ...body,
  ].join("\n");
  return out;
}
