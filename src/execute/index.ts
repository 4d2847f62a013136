/** The Caffe executor: a Caffe-semantics forward of a net over the numeric kernels. */
export { executeNet, netSteps, type ExecuteFailure, type ExecuteOptions, type ExecuteResult, type LayerRecord, type TopRecord } from "./net.js";
export { EXECUTORS, executedTypes, executorOf, executorsByType } from "./registry.js";
export { ExecuteError, type Blob, type LayerContext, type LayerExecutor, type Phase } from "./types.js";
