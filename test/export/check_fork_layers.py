"""Runs exported models with fork layers (SSD, Faster R-CNN, R-FCN, caffe_ocr) and compares
their layers' tops with values worked out by hand from the forks' definitions, or with the forks'
C++ loops written out in plain Python (fork_references.py, one function per layer citing its
source).

Usage: check_fork_layers.py spec.json, spec = {"cases": [{"name", "model": model.py path,
"state": {key: values} (optional), "inputs": {blob: values | {"random": shape, "seed": s,
"int": bound} | {"rois": [count, batches, img_h, img_w], "seed": s}}, "hand": {layer: values of
top 0}, "reference": {layer: {"kind", "bottoms": [blob...], "params": {...}}}}]}.
Prints {"torch": version, "results": {case: {layer: {"shape", "expected_shape", "max_error"}}
or {"error": text}}}.
"""
import importlib.util
import json
import os
import sys
import traceback

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fork_references import REFERENCES, flat


def make_input(spec):
    """A literal, seeded normal (or integer) values, or valid ROIs inside an image."""
    if not isinstance(spec, dict):
        return torch.tensor(spec, dtype=torch.float32)
    g = torch.Generator().manual_seed(spec.get("seed", 0))
    if "rois" in spec:
        count, batches, img_h, img_w = spec["rois"]
        x1 = torch.rand(count, generator=g) * img_w * 0.8
        y1 = torch.rand(count, generator=g) * img_h * 0.8
        x2 = x1 + torch.rand(count, generator=g) * (img_w - x1)
        y2 = y1 + torch.rand(count, generator=g) * (img_h - y1)
        b = torch.randint(0, batches, (count,), generator=g).float()
        return torch.stack([b, x1, y1, x2, y2], 1)
    if "int" in spec:
        return torch.randint(0, spec["int"], spec["random"], generator=g).float()
    return torch.randn(spec["random"], generator=g)


def run_case(case):
    module_spec = importlib.util.spec_from_file_location("fork_model_" + case["name"].replace("-", "_"), case["model"])
    model = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(model)
    net = model.build(weights=False)
    state = {k: torch.tensor(v, dtype=torch.float32) for k, v in case.get("state", {}).items()}
    if state:
        net.load_state_dict(state, strict=False)
    full_state = net.state_dict()
    inputs = {blob: make_input(spec) for blob, spec in case["inputs"].items()}
    with torch.no_grad():
        tops = net.forward_layers(*[inputs[b] for b in model.INPUTS])
    blobs = dict(inputs)
    report = {}
    for layer, values in case.get("hand", {}).items():
        got = tops[layer][0]
        expected = torch.tensor(values, dtype=torch.float64)
        report[layer] = compare(got, flat(expected), list(expected.shape))
    for layer, ref in case.get("reference", {}).items():
        bottoms = [blobs[b] if b in blobs else find_top(tops, b, case) for b in ref["bottoms"]]
        expected, shape = REFERENCES[ref["kind"]](bottoms, full_state, ref.get("params", {}))
        report[layer] = compare(tops[layer][0], expected, shape)
    return report


def find_top(tops, blob, case):
    """A blob computed by the net: the top of the layer named in the case's "tops" map."""
    layer = case["tops"][blob]
    return tops[layer][0]


def compare(got, expected, shape):
    result = {"shape": list(got.shape), "expected_shape": shape, "max_error": None}
    if list(got.shape) == shape:
        g = got.double().reshape(-1)
        e = torch.tensor(expected, dtype=torch.float64)
        result["max_error"] = float((g - e).abs().max()) if e.numel() else 0.0
    return result


def main(spec_path):
    spec = json.load(open(spec_path))
    results = {}
    for case in spec["cases"]:
        try:
            results[case["name"]] = run_case(case)
        except Exception:  # reported per case, so one broken case names itself
            results[case["name"]] = {"error": traceback.format_exc()}
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1])
