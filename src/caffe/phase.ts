import type { LayerParameter, NetParameter, NetStateRule, Phase } from "../schema/caffe-types.js";

/** The state a net is instantiated in, with every field resolved. */
export interface ResolvedNetState {
  phase: Phase;
  level: number;
  stages: string[];
}

/** What the caller asks for; unset fields fall back to the net's own `state`, then Caffe's defaults. */
export interface NetStateOptions {
  /** Default TEST, as caffe.NetState's default and deployment tools assume. */
  phase?: Phase;
  level?: number;
  /** Added to the stages the net's `state` lists. */
  stages?: readonly string[];
}

/**
 * Resolves the state to filter with. The caller's phase wins over the file's `state.phase`, as
 * Caffe's `Net(param_file, phase, …)` constructor overwrites it. Level and stages merge the way
 * Caffe's Solver::InitTrainNet merges a net's state with the solver's (`NetState::MergeFrom`): a
 * level the caller sets overwrites the file's, stages are appended.
 */
export function resolveState(net: NetParameter, options: NetStateOptions = {}): ResolvedNetState {
  const file = net.state ?? {};
  return {
    phase: options.phase ?? file.phase ?? "TEST",
    level: options.level ?? file.level ?? 0,
    stages: [...(file.stage ?? []), ...(options.stages ?? [])],
  };
}

/**
 * Whether `state` meets `rule`, exactly as Caffe's Net::StateMeetsRule decides: every field the
 * rule sets must hold; the state must carry ALL of the rule's stages and NONE of its not_stages.
 */
export function stateMeetsRule(state: ResolvedNetState, rule: NetStateRule): boolean {
  if (rule.phase !== undefined && rule.phase !== state.phase) return false;
  if (rule.min_level !== undefined && state.level < rule.min_level) return false;
  if (rule.max_level !== undefined && state.level > rule.max_level) return false;
  for (const stage of rule.stage ?? []) if (!state.stages.includes(stage)) return false;
  for (const stage of rule.not_stage ?? []) if (state.stages.includes(stage)) return false;
  return true;
}

/** The outcome of filtering one layer. */
export interface LayerFilter {
  included: boolean;
  /** The layer has both include and exclude rules, which Caffe refuses ("Specify either include rules or exclude rules; not both."). */
  conflict: boolean;
}

/**
 * Whether a layer is active in `state`, following Caffe's Net::FilterNet: without include rules a
 * layer is in unless an exclude rule matches; with include rules it is in only if one matches.
 * When both kinds are present (an error in Caffe) the loops of FilterNet still make the include
 * rules decide, so we follow that and report the conflict.
 */
export function filterLayer(layer: LayerParameter, state: ResolvedNetState): LayerFilter {
  const include = layer.include ?? [];
  const exclude = layer.exclude ?? [];
  let included = include.length === 0;
  for (const rule of exclude) if (included && stateMeetsRule(state, rule)) included = false;
  for (const rule of include) if (!included && stateMeetsRule(state, rule)) included = true;
  return { included, conflict: include.length > 0 && exclude.length > 0 };
}
