/**
 * The opening paragraph of `explain`: what Caffe's BatchNorm + Scale are, then this net in
 * numbers (how many layers, how they pair, which PyTorch modules, which mode in this phase). Pure.
 */
import type { ConvertBlock, ConvertResult, TorchMode } from "../convert/types.js";
import { hasNoEquivalent } from "./header.js";
import { forkLayerName } from "./fork-lines.js";
import type { TextStyle } from "./style.js";
import { count, distinct, joinAnd, tally } from "./words.js";

/** How a block pairs: [singular, plural] phrases completing "N …". */
function pairingKind(b: ConvertBlock): [string, string] {
  const fork = b.caffe.fork;
  if (fork?.family === "unrecognised") return ["is a BN layer of no known fork", "are BN layers of no known fork"];
  if (fork) {
    const one = forkLayerName(fork.family);
    return [`is ${one}`, `are ${one.replace(/ layer( |$)/, " layers$1")}`];
  }
  if (b.scale === null) return ["has no Scale after it (so no gamma or beta)", "have no Scale after them (so no gamma or beta)"];
  if (b.caffe.bias_term) return ["is followed by a Scale layer with a bias term", "are followed by a Scale layer with a bias term"];
  if (b.bias !== null) return ["is followed by a Scale layer and then a Bias layer", "are followed by a Scale layer and then a Bias layer"];
  return ["is followed by a Scale layer without any bias", "are followed by a Scale layer without any bias"];
}

/** The mode, with SegNet's INFERENCE mode apart: it does not normalise at all. */
type ModeKey = TorchMode | "scale-shift";
const modeKey = (b: ConvertBlock): ModeKey => (b.notes.some((n) => n.code === "fork-segnet-inference") ? "scale-shift" : b.torch.mode);

const MODE_PHRASE: Record<ModeKey, [string, string]> = {
  "scale-shift": ["computes scale·x + shift without normalising (PyTorch: eval() with mean 0, variance 1)", "compute scale·x + shift without normalising (PyTorch: eval() with mean 0, variance 1)"],
  eval: ["normalises with its stored statistics, as PyTorch does in eval()", "normalise with their stored statistics, as PyTorch does in eval()"],
  frozen: [
    "normalises with its stored statistics and never updates them (PyTorch: keep it in eval() while the rest trains)",
    "normalise with their stored statistics and never update them (PyTorch: keep them in eval() while the rest trains)",
  ],
  train: [
    "normalises with each batch's statistics and updates its stored ones, as PyTorch does in train()",
    "normalise with each batch's statistics and update their stored ones, as PyTorch does in train()",
  ],
  "batch-stats": [
    "normalises with each batch's own statistics, not stored ones (PyTorch: track_running_stats=False)",
    "normalise with each batch's own statistics, not stored ones (PyTorch: track_running_stats=False)",
  ],
};

/** "N phrase" for parts of a whole: "all 53 …" when one part covers everything, "it …" for a single block. */
function parts(entries: readonly [string, number][], total: number, phrase: (key: string) => [string, string]): string {
  return joinAnd(
    entries.map(([key, n]) => {
      const [one, many] = phrase(key);
      if (entries.length === 1 && total === 1) return `it ${one}`;
      // "all 3 have no Scale" reads as a contradiction; "none of the 3 has a Scale" does not.
      if (entries.length === 1 && many.startsWith("have no ")) return `${n === 2 ? "neither" : `none of the ${n}`} ${one.replace(/^has no /, "has a ")}`;
      if (entries.length === 1) return `${n === 2 ? "both" : `all ${n}`} ${many}`;
      return `${n} ${n === 1 ? one : many}`;
    }),
  );
}

/** The PyTorch modules the net becomes, e.g. "53 × nn.BatchNorm2d with affine=True". */
function modulesSentence(blocks: readonly ConvertBlock[]): string {
  const mapped = blocks.filter((b) => !hasNoEquivalent(b));
  const mods = tally(mapped, (b) => `nn.${b.torch.module ?? "BatchNorm?d"}(…, affine=${b.torch.affine ? "True" : "False"})`);
  let s = `In PyTorch ${blocks.length === 1 ? "it becomes" : "they become"} ${joinAnd(mods.map(([m, n]) => `${n} × ${m}`))}`;
  const unknown = mapped.filter((b) => b.torch.module === null).length;
  if (unknown > 0) s += ` (BatchNorm?d: the input's rank could not be inferred for ${unknown})`;
  const none = blocks.length - mapped.length;
  if (none > 0) s += `${mods.length > 0 ? "; " : ""}${none} ${none === 1 ? "has" : "have"} no known equivalent`;
  return `${s}.`;
}

/**
 * The one module every block maps to, when there is one (blocks whose rank is unknown are taken
 * to follow the others; the sentence says how many).
 */
function uniformModule(blocks: readonly ConvertBlock[]): string | null {
  if (blocks.some(hasNoEquivalent)) return null;
  const known = blocks.filter((b) => b.torch.module !== null);
  const mods = distinct(blocks.map((b) => `nn.${b.torch.module ?? known[0]?.torch.module ?? "BatchNorm?d"}(…, affine=${b.torch.affine ? "True" : "False"})`));
  if (mods.length !== 1) return null;
  const unknown = blocks.length - known.length;
  if (unknown === 0) return mods[0]!;
  if (known.length === 0) return `${mods[0]!} (1d, 2d or 3d: the input's shape could not be inferred)`;
  return `${mods[0]!} (for ${unknown} of them the input's shape could not be inferred; see below)`;
}

/** What one block is made of, for "each … becomes one nn.BatchNorm2d". */
function blockUnit(b: ConvertBlock): string {
  if (b.caffe.fork) return "of these layers";
  if (b.scale === null) return "of them";
  return b.bias === null ? "BatchNorm + Scale pair" : "BatchNorm + Scale + Bias";
}

/**
 * The opening paragraphs (title first). `blocks` are the blocks being explained (all, or those
 * `--layer` selected; `selected` says which); `groups` is how many descriptions follow.
 */
export function overview(result: ConvertResult, blocks: readonly ConvertBlock[], style: TextStyle, selected: boolean, groups: number): string[] {
  const title = `${style.bold(result.net ?? "(unnamed net)")} ${style.dim(`— ${result.source}, ${result.phase} phase`)}`;
  if (result.blocks.length === 0) return [title, `No BatchNorm layers are active in the ${result.phase} phase, so there is nothing to convert.`];
  const bvlc = blocks.some((b) => !b.caffe.fork);
  const forks = distinct(blocks.filter((b) => b.caffe.fork).map((b) => forkLayerName(b.caffe.fork!.family)));
  const mod = tally(blocks.filter((b) => b.torch.module), (b) => b.torch.module!).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "BatchNorm2d";
  const intro: string[] = [];
  if (bvlc) {
    intro.push(
      "In Caffe, batch normalisation takes two layers: BatchNorm only normalises each channel (subtracts a mean and divides by a standard deviation), and a Scale layer after it multiplies by a learned gamma and adds a learned beta.",
      `PyTorch's nn.${mod} does both in one module: affine=True gives it gamma (its weight) and beta (its bias).`,
    );
    if (forks.length > 0) intro.push(`This net also uses ${joinAnd(forks)}, from a fork of Caffe, which does both in one layer.`);
  } else {
    intro.push(
      "Batch normalisation normalises each channel (subtracts a mean and divides by a standard deviation), then multiplies by a learned gamma and adds a learned beta.",
      `BVLC Caffe splits this over a BatchNorm and a Scale layer; this net instead uses ${joinAnd(forks)}, from a fork of Caffe, which does it all in one layer, as PyTorch's nn.${mod} does.`,
    );
  }
  intro.push("A trained .caffemodel keeps each layer's arrays as numbered blobs; below says which blob goes where.");

  const total = blocks.length;
  const layerWord = forks.length === 0 ? "BatchNorm layer" : "batch normalisation layer";
  const facts: string[] = [selected ? `Explaining ${count(total, "block")} of the ${result.blocks.length} in this net.` : `This net has ${count(total, layerWord)}.`];
  const kinds = tally(blocks, (b) => pairingKind(b).join("|"));
  facts.push(`${capitalise(parts(kinds, total, (k) => k.split("|") as [string, string]))}.`);
  const uniform = kinds.length === 1 ? uniformModule(blocks) : null;
  if (uniform) facts.push(`In PyTorch ${total === 1 ? "it becomes" : `each ${blockUnit(blocks[0]!)} becomes`} one ${uniform}.`);
  else if (blocks.some((b) => !hasNoEquivalent(b))) facts.push(modulesSentence(blocks));
  const mapped = blocks.filter((b) => !hasNoEquivalent(b));
  const modes = tally(mapped, modeKey);
  const when = result.phase === "TEST" ? "TEST phase (inference)" : "TRAIN phase (training)";
  if (modes.length > 0) facts.push(`In the ${when} ${parts(modes, mapped.length, (m) => MODE_PHRASE[m as ModeKey])}.`);
  if (total > 1 && groups === 1) facts.push("They are all configured alike, so they are described once below.");
  else if (groups < total) facts.push(`They come in ${groups} configurations, each described once below.`);
  return [title, intro.join(" "), facts.join(" ")];
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
