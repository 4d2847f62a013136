"""Runs exported models on golden recordings and compares every layer's tops.

compare_cases(cases) takes [{"case": dir of a ../shared/golden/nets case, "export": dir of the
exported model.py}] and returns one report per case: per recorded layer and top, the shape, the
largest |difference| and the error scaled by max(1, max |reference|) (full tensors), or the
samples' and statistics' errors (tops recorded as statistics and samples only).
"""
import importlib.util
import json
import os
import sys

import torch


def _load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compare_top(top, value, tensors):
    shape = list(value.shape)
    report = {"blob": top["blob"], "shape": shape, "expected_shape": top["shape"]}
    if shape != top["shape"]:
        report.update(ok=False, reason="shape")
        return report
    flat = value.detach().to(torch.float64).reshape(-1)
    if top["tensor"] is not None:
        ref = tensors[top["tensor"]].to(torch.float64).reshape(-1)
        scale = max(1.0, float(ref.abs().max())) if ref.numel() else 1.0
        diff = float((flat - ref).abs().max()) if ref.numel() else 0.0
        report.update(max_abs_error=diff, scaled_error=diff / scale, full=True)
        return report
    stats = top["stats"]
    scale = max(1.0, abs(stats["min"]), abs(stats["max"]))
    n = flat.numel()
    samples = top["samples"]
    diffs = [abs(float(flat[i]) - v) for i, v in zip(samples["index"], samples["value"])]
    mean_err = abs(float(flat.sum()) - stats["sum"]) / n
    sq_err = abs(float((flat * flat).sum()) - stats["sq_sum"]) / n
    report.update(
        max_abs_error=max(diffs),
        scaled_error=max(max(diffs) / scale, mean_err / scale, sq_err / (scale * scale)),
        full=False)
    return report


def compare_case(case_dir, export_dir, tag):
    with open(os.path.join(case_dir, "record.json")) as f:
        record = json.load(f)
    model = _load_module(os.path.join(export_dir, "model.py"), "golden_" + tag)
    tensors, _ = model.read_safetensors(os.path.join(case_dir, "record.safetensors"))
    net = model.build()
    inputs = [tensors["input/" + blob] for blob in model.INPUTS]
    tops = {}
    error = None
    with torch.no_grad():
        try:
            net.forward_layers(*inputs, tops=tops)
            outputs = net(*inputs)
        except Exception as e:  # a wrong conversion may fail to run: report where
            error = "{}: {}".format(type(e).__name__, e)
            outputs = ()
    layers = []
    for layer in record["layers"]:
        got = tops.get(layer["name"])
        entry = {"name": layer["name"], "type": layer["type"], "tops": []}
        if got is None:
            entry["missing"] = True
        else:
            for top, value in zip(layer["tops"], got):
                entry["tops"].append(_compare_top(top, value, tensors))
            if len(got) != len(layer["tops"]):
                entry["top_count"] = [len(got), len(layer["tops"])]
        layers.append(entry)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return {
        "case": record["case"],
        "error": error,
        "layers": layers,
        "outputs": list(model.OUTPUTS),
        "expected_outputs": record["outputs"],
        "forward_matches_layers": error is None and all(
            bool(torch.equal(o, _last_value(tops, record, blob)))
            for o, blob in zip(outputs, model.OUTPUTS)),
    }


def _last_value(tops, record, blob):
    """The value of blob after the last layer that wrote it."""
    value = None
    for layer in record["layers"]:
        for i, top in enumerate(layer["tops"]):
            if top["blob"] == blob and layer["name"] in tops:
                value = tops[layer["name"]][i]
    return value


def compare_cases(cases):
    return [compare_case(c["case"], c["export"], str(i)) for i, c in enumerate(cases)]


if __name__ == "__main__":
    print(json.dumps(compare_cases(json.load(open(sys.argv[1])))))
