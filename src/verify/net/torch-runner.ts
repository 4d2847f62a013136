/**
 * The Python side of `verify --net --torch`: a script that runs exported models' `forward_layers`
 * in ONE Python process (one job per model) and writes every layer's tops to a safetensors file, and
 * the reading of its results. Pure: the CLI writes the files and spawns Python.
 *
 * Protocol: `python runner.py jobs.json` with jobs `[{"export": dir of model.py + model.safetensors,
 * "inputs": safetensors of the input blobs by blob name, "output": file to write}]`; it prints
 * `[{"layers": [{"name", "tops": [tensor index…]}], "error": null | "Type: message"}]` (tensors named
 * "0", "1", … in the output file, float32) or, when torch cannot be imported, `{"fatal": …}` and exits 3.
 */
import type { TorchGraph } from "../../convert/torch-graph.js";
import { parseSafetensors } from "../../weights/safetensors.js";
import type { SideRecords, TopValues } from "./records.js";

/** The runner script (Python 3, torch and numpy). */
export const TORCH_RUNNER_PY = String.raw`"""caffe2torch verify --net --torch: runs exported models' forward_layers, one process for all."""
import importlib.util
import json
import os
import struct
import sys

try:
    import numpy as np
    import torch
except Exception as e:  # no torch (or numpy) here: say so, the caller explains
    print(json.dumps({"fatal": "{}: {}".format(type(e).__name__, e), "executable": sys.executable}))
    sys.exit(3)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tensors(path, arrays):
    """A safetensors file of float32 arrays named "0", "1", ... in order."""
    header = {}
    offset = 0
    for i, a in enumerate(arrays):
        header[str(i)] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for a in arrays:
            f.write(a.astype("<f4", copy=False).tobytes())


def as_array(value):
    if torch.is_tensor(value):
        return np.ascontiguousarray(value.detach().to(torch.float32).cpu().numpy())
    return np.ascontiguousarray(np.asarray(value, dtype=np.float32))


def run_job(job, tag):
    model = load_module(os.path.join(job["export"], "model.py"), "caffe2torch_verify_" + tag)
    tensors, _ = model.read_safetensors(job["inputs"])
    net = model.build()
    inputs = [tensors[blob] for blob in model.INPUTS]
    tops = {}
    error = None
    with torch.no_grad():
        try:
            net.forward_layers(*inputs, tops=tops)
        except Exception as e:  # a wrong model may fail: the layers before it are in tops
            error = "{}: {}".format(type(e).__name__, e)
    layers = []
    arrays = []
    for name, values in tops.items():
        indices = []
        for v in values:
            indices.append(len(arrays))
            arrays.append(as_array(v))
        layers.append({"name": name, "tops": indices})
    write_tensors(job["output"], arrays)
    return {"layers": layers, "error": error}


def main(path):
    with open(path) as f:
        jobs = json.load(f)
    torch.set_num_threads(1)
    results = []
    for i, job in enumerate(jobs):
        try:
            results.append(run_job(job, str(i)))
        except Exception as e:  # the model does not load or build
            results.append({"layers": [], "error": "{}: {}".format(type(e).__name__, e), "load_failed": True})
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
`;

/** One job's answer as the runner prints it. */
export interface RunnerResult {
  layers: { name: string; tops: number[] }[];
  error: string | null;
  load_failed?: boolean;
}

/** The runner's answer when torch cannot be imported. */
export interface RunnerFatal {
  fatal: string;
  executable?: string;
}

/**
 * A job's records: each layer's tops from the output file, and where the model stopped — the first
 * layer of the graph with tops that it did not record.
 */
export function runnerRecords(result: RunnerResult, output: Uint8Array | null, graph: TorchGraph): SideRecords {
  const tensors = output ? parseSafetensors(output).tensors : new Map();
  const layers = result.layers.map((l) => ({
    name: l.name,
    tops: l.tops.map((i): TopValues => {
      const t = tensors.get(String(i));
      if (!t || t.dtype !== "F32") throw new Error(`runner output lacks tensor ${i}`);
      return { shape: [...t.shape], data: t.data };
    }),
  }));
  if (result.error === null) return { layers, error: null };
  const recorded = new Set(layers.map((l) => l.name));
  const stopped = graph.nodes.find((n) => n.tops.length > 0 && n.call.kind !== "none" && !recorded.has(n.layer));
  return { layers, error: { layer: stopped?.layer ?? "", message: result.load_failed ? `model.py does not load: ${result.error}` : result.error } };
}
