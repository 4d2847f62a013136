import type { GraphOutcome } from "../convert/graph.js";
import type { ParamBinding, TorchNode } from "../convert/torch-graph.js";
import type { ParamSpec } from "../schema/caffe-types.js";
import type { SolverSettings } from "./settings.js";

/** One Caffe parameter blob by its PyTorch name. */
export interface BlobRef {
  /** The `state_dict()` key `export` gives it. */
  key: string;
  layer: string;
  /** The blob's index in its Caffe layer. */
  blob: number;
  shape: number[] | null;
}

/** One optimizer parameter group: the blobs sharing (lr_mult, decay_mult). */
export interface ParamGroupPlan {
  lrMult: number;
  decayMult: number;
  /** base_lr · lr_mult: the group's `lr` (the scheduler multiplies it by Caffe's rate / base_lr). */
  lr: number;
  /** weight_decay · decay_mult with L2 (torch's `weight_decay`), else 0. */
  weightDecay: number;
  /** weight_decay · decay_mult with L1 (added as decay·sign(θ)), else 0. */
  l1Decay: number;
  params: BlobRef[];
}

/** Blobs tied by `param { name }`: one tensor in Caffe, updated once with the owner's multipliers. */
export interface SharedPlan {
  name: string;
  /** The first blob with the name, in layer order: Caffe's owner, the one in the optimizer. */
  owner: BlobRef;
  /** The others: `tie_shared` makes each of them the owner's Parameter. */
  sharers: (BlobRef & { tie: boolean })[];
  lrMult: number;
  decayMult: number;
}

/** Where every Caffe blob of the TRAIN net goes in training. */
export interface GroupsPlan {
  groups: ParamGroupPlan[];
  /** lr_mult 0: requires_grad=False, left out of the optimizer. */
  frozen: BlobRef[];
  /** BatchNorm statistics: buffers, changed by the forward only. */
  buffers: (BlobRef & { decayMult: number })[];
  shared: SharedPlan[];
  /** Parameter blobs PyTorch has no tensor for (none with today's converters). */
  unbound: { layer: string; blob: number }[];
}

interface Entry {
  node: TorchNode;
  binding: ParamBinding;
  spec: ParamSpec | undefined;
}

/**
 * Parameter groups from the TRAIN net's bindings, in Caffe's learnable-parameter order (layers in
 * order, blobs in order; Net::AppendParam): every parameter binding with a key joins the group
 * of its (lr_mult, decay_mult), lr = base_lr·lr_mult and weight_decay = weight_decay·decay_mult.
 *
 * - lr_mult 0: frozen. Caffe still runs the solver on the blob, but its update is 0 (the rate
 *   factor is 0), so leaving it out changes no parameter; only the adaptive solvers' history of a
 *   blob with decay_mult ≠ 0 differs, which no later step reads.
 * - Shared blobs (`param { name }`): Caffe keeps one blob, owned by the first layer naming it;
 *   its multipliers are the owner's, or the first sharer's that sets one when the owner does not
 *   (Net::AppendParam, net.cpp:495-513). Only the owner's key joins the optimizer.
 */
export function paramGroups(outcome: GraphOutcome, s: SolverSettings): GroupsPlan {
  const layers = outcome.convert.analysis.model.layers;
  const entries: Entry[] = [];
  for (const node of outcome.graph.nodes) {
    const specs = (layers[node.position]?.param.param ?? []) as ParamSpec[];
    for (const binding of node.params) entries.push({ node, binding, spec: specs[binding.blob] });
  }

  const plan: GroupsPlan = { groups: [], frozen: [], buffers: [], shared: [], unbound: [] };
  const owners = new Map<string, { entry: Entry; shared: SharedPlan | null; lrSet: boolean; decaySet: boolean }>();
  const learnable: { ref: BlobRef; entry: Entry; share: string | null }[] = [];
  for (const entry of entries) {
    const { node, binding } = entry;
    const ref: BlobRef = { key: binding.key ?? "", layer: node.layer, blob: binding.blob, shape: binding.shape };
    if (binding.kind === "buffer") {
      // UpgradeNetBatchNorm (upgrade_proto.cpp:1016-1031) sets lr_mult and decay_mult to 0 on a
      // BatchNorm declaring exactly three param blocks; one without blocks keeps decay_mult 1.
      const upgraded = node.type === "BatchNorm" && (layers[node.position]?.param.param?.length ?? 0) === 3;
      if (binding.key !== null) plan.buffers.push({ ...ref, decayMult: upgraded ? 0 : binding.decayMult });
      continue;
    }
    if (binding.key === null) {
      plan.unbound.push({ layer: node.layer, blob: binding.blob });
      continue;
    }
    const name = binding.shareName;
    const owner = name === null ? undefined : owners.get(name);
    if (name !== null && owner) {
      owner.shared ??= { name, owner: refOf(owner.entry), sharers: [], lrMult: owner.entry.binding.lrMult, decayMult: owner.entry.binding.decayMult };
      const tie = sameShape(owner.entry.binding.shape, binding.shape);
      owner.shared.sharers.push({ ...ref, tie });
      if (!owner.lrSet && entry.spec?.lr_mult !== undefined) {
        owner.lrSet = true;
        owner.shared.lrMult = binding.lrMult;
      }
      if (!owner.decaySet && entry.spec?.decay_mult !== undefined) {
        owner.decaySet = true;
        owner.shared.decayMult = binding.decayMult;
      }
      continue;
    }
    if (name !== null) owners.set(name, { entry, shared: null, lrSet: entry.spec?.lr_mult !== undefined, decaySet: entry.spec?.decay_mult !== undefined });
    learnable.push({ ref, entry, share: name });
  }

  for (const o of owners.values()) if (o.shared) plan.shared.push(o.shared);
  const sharedByName = new Map(plan.shared.map((sp) => [sp.name, sp]));
  const byMults = new Map<string, ParamGroupPlan>();
  for (const { ref, entry, share } of learnable) {
    const sp = share === null ? undefined : sharedByName.get(share);
    const lrMult = sp?.lrMult ?? entry.binding.lrMult;
    const decayMult = sp?.decayMult ?? entry.binding.decayMult;
    if (lrMult === 0) {
      plan.frozen.push(ref);
      continue;
    }
    const mapKey = `${lrMult}\u0000${decayMult}`;
    let group = byMults.get(mapKey);
    if (!group) {
      // The decimals as written (torch rounds them to float32 where they meet the tensors).
      const decay = s.written["weight_decay"]! * decayMult;
      const l1 = s.regularizationType === "L1";
      group = { lrMult, decayMult, lr: s.written["base_lr"]! * lrMult, weightDecay: l1 ? 0 : decay, l1Decay: l1 ? decay : 0, params: [] };
      byMults.set(mapKey, group);
      plan.groups.push(group);
    }
    group.params.push(ref);
  }
  return plan;
}

function refOf(entry: Entry): BlobRef {
  return { key: entry.binding.key!, layer: entry.node.layer, blob: entry.binding.blob, shape: entry.binding.shape };
}

function sameShape(a: number[] | null, b: number[] | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((d, i) => d === b[i]);
}
