/** Words for the executors' failure codes (`execute` keeps codes and data; only this edge words them). */

type Data = Readonly<Record<string, unknown>>;

const list = (v: unknown): string => (Array.isArray(v) ? `[${v.join(", ")}]` : String(v));

const MESSAGES: Record<string, (d: Data) => string> = {
  "unsupported-type": (d) => `no executor for layer type ${String(d["type"])}`,
  "unknown-bottom": (d) => `bottom blob ${String(d["blob"])} is not produced by any layer before it`,
  "missing-input": (d) => `no value for input blob ${String(d["blob"])}`,
  "input-size": (d) => `input ${String(d["blob"])} holds ${String(d["values"])} values for shape ${list(d["shape"])}`,
  "missing-params": (d) => `the weights give ${String(d["count"])} blob(s), blob ${String(d["index"])} is needed`,
  "param-count": (d) => `the weights give ${String(d["actual"])} blob(s), the layer needs ${String(d["expected"])}`,
  "param-shape": (d) => `weight blob ${String(d["index"])} has shape ${list(d["actual"])}, the layer needs ${list(d["expected"])}`,
  "dropout-train": () => "Dropout in TRAIN draws Caffe's random numbers, which are not reproduced (verify the TEST phase)",
  "embed-id": (d) => `Embed id ${String(d["id"])} is not an integer in [0, ${String(d["inputDim"])})`,
  "top-count": (d) => `the executor made ${String(d["actual"])} tops, the layer has ${String(d["expected"])}`,
};

/** A failure of an executor (Caffe's or PyTorch's) in words. */
export function executeFailureMessage(code: string, data: Data): string {
  return MESSAGES[code]?.(data) ?? `${code} ${JSON.stringify(data)}`;
}
