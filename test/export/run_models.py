"""Import, build and run many model.py files written by `caffe2torch export`, in one interpreter
(torch is imported once).

Usage:
    run_models.py LIST.json OUT.json

LIST.json is a JSON list of {"id": str, "path": str, "weights": bool, "trace": bool, "onnx": bool,
"stand_ins": path, "values": {blob: flat list}}. For each entry the module is imported and build() called (with its
.safetensors when "weights", else build(weights=False), which initialises the parameters as
Caffe's fillers would). With "stand_ins", the STAND_INS of that Python file replace the model's
CaffeLayerStubs through replace_stubs (the keys its stubs answer to), and a stub left in place
is an error. The net
runs forward on inputs drawn from N(0, 1) in the shapes of INPUT_SHAPES (an unknown dimension
is taken as 1), under torch.no_grad(). With "trace", torch.jit.trace runs the same inputs and
the largest difference from the eager outputs is reported; with "onnx", torch.onnx.export writes
the net to memory and the byte count and which INPUTS/OUTPUTS names the bytes hold are reported.

OUT.json receives {"torch": version, "onnx_package": bool, "results": {id: {"ok": true, ...} or
{"ok": false, "stage": ..., "error": traceback}}}, each with "seconds" and "cpu_seconds" (import to the end); the
TypeScript tests decide what passes.
"""

import importlib.util
import io
import json
import sys
import time
import traceback
import warnings

import torch


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stand_ins_for(net, module, path):
    """The STAND_INS of the file at path that net's stubs answer to."""
    stand_ins = load(path, "caffe2torch_stand_ins").STAND_INS
    keys = {k for m in net.children() if isinstance(m, module.CaffeLayerStub) for k in m.stand_in_keys()}
    return {k: f for k, f in stand_ins.items() if k in keys}


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def inputs_of(module, seed, values=None):
    """Seeded inputs of INPUT_SHAPES: normal values, class 0 for a data layer's label top
    (losses and Accuracy index with it, so it must be a valid class), and the values given
    for a blob (e.g. SSD's ground-truth rows), reshaped to its shape."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for blob in module.INPUTS:
        shape = tuple(1 if d is None else d for d in module.INPUT_SHAPES[blob])
        if values and blob in values:
            out.append(torch.tensor(values[blob], dtype=torch.float32).reshape(shape))
        else:
            out.append(torch.zeros(*shape) if "label" in blob else torch.randn(*shape, generator=g))
    return tuple(out)


def run(index, entry):
    result = {"ok": False, "stage": "import"}
    start, cpu = time.time(), time.process_time()
    try:
        module = load(entry["path"], "caffe2torch_export_{}".format(index))
        result["stage"] = "build"
        net = module.build() if entry.get("weights") else module.build(weights=False)
        if entry.get("stand_ins"):
            # As a user does after build(): replace_stubs, then the phase's mode for the new modules.
            module.replace_stubs(net, stand_ins_for(net, module, entry["stand_ins"]))
            net.train(net.training)
        left = [m.caffe_name for m in net.children() if type(m).__name__ == "CaffeLayerStub"]
        if left:
            raise RuntimeError("stubs without a stand-in: {}".format(left))
        result["training"] = net.training
        result["parameters"] = sum(p.numel() for p in net.parameters())
        result["stage"] = "forward"
        xs = inputs_of(module, index, entry.get("values"))
        with torch.no_grad():
            eager = as_tuple(net(*xs))
        result["outputs"] = [list(t.shape) for t in eager]
        result["finite"] = all(bool(torch.isfinite(t).all()) for t in eager)
        result["output_names"] = list(module.OUTPUTS)
        if entry.get("trace"):
            result["stage"] = "trace"
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(net, xs)
                again = as_tuple(traced(*xs))
            result["trace_max_diff"] = max(((a - b).abs().max().item() for a, b in zip(eager, again)), default=0.0)
            result["trace_equal"] = len(again) == len(eager) and all(torch.equal(a, b) for a, b in zip(eager, again))
        if entry.get("onnx"):
            result["stage"] = "onnx"
            buf = io.BytesIO()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(net, xs, buf, input_names=list(module.INPUTS), output_names=list(module.OUTPUTS))
            data = buf.getvalue()
            result["onnx_bytes"] = len(data)
            names = list(module.INPUTS) + list(module.OUTPUTS)
            result["onnx_names_present"] = all(n.encode("utf-8") in data for n in names)
        result["stage"] = "done"
        result["ok"] = True
    except Exception:  # noqa: BLE001  (any failure of a generated module is a finding)
        result["error"] = traceback.format_exc()
    result["seconds"] = round(time.time() - start, 2)
    result["cpu_seconds"] = round(time.process_time() - cpu, 2)
    return result


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        entries = json.load(f)
    try:
        import onnx  # noqa: F401
        onnx_package = True
    except ImportError:
        onnx_package = False
    results = {entry["id"]: run(i, entry) for i, entry in enumerate(entries)}
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "onnx_package": onnx_package, "results": results}, f, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv)
