"""Builds exported corpus models and runs one forward on seeded random inputs of their shapes.

Usage: run_fork_corpus.py spec.json, spec = {"models": [{"name", "model": model.py path,
"inputs": {blob: {"kind": "normal" | "labels" | "rois", "classes": n, "image": [h, w]}}}]}.
Input shapes are the model's own INPUT_SHAPES. ROIs are (0, x1, y1, x2, y2) inside the image;
labels are integers in [1, classes). Prints {"torch": version, "results": {name: {"outputs":
{blob: {"shape", "finite"}}, "seconds"} or {"error": text}}}.
"""
import importlib.util
import json
import sys
import time
import traceback

import torch


def make_input(shape, spec, generator):
    kind = spec.get("kind", "normal")
    if kind == "labels":
        return torch.randint(1, spec["classes"], shape, generator=generator).float()
    if kind == "rois":
        count, (img_h, img_w) = shape[0], spec["image"]
        x1 = torch.rand(count, generator=generator) * img_w * 0.8
        y1 = torch.rand(count, generator=generator) * img_h * 0.8
        x2 = x1 + torch.rand(count, generator=generator) * (img_w - x1)
        y2 = y1 + torch.rand(count, generator=generator) * (img_h - y1)
        return torch.stack([torch.zeros(count), x1, y1, x2, y2], 1).reshape(shape)
    return torch.randn(shape, generator=generator)


def run(entry):
    module_spec = importlib.util.spec_from_file_location("corpus_" + entry["name"].replace("-", "_"), entry["model"])
    model = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(model)
    net = model.build(weights=False)
    generator = torch.Generator().manual_seed(0)
    args = [make_input(model.INPUT_SHAPES[b], entry["inputs"].get(b, {}), generator) for b in model.INPUTS]
    start = time.time()
    with torch.no_grad():
        out = net(*args)
    seconds = time.time() - start
    out = out if isinstance(out, tuple) else (out,)
    outputs = {b: {"shape": list(t.shape), "finite": bool(torch.isfinite(t).all())} for b, t in zip(model.OUTPUTS, out)}
    return {"outputs": outputs, "seconds": seconds}


def main(spec_path):
    spec = json.load(open(spec_path))
    results = {}
    for entry in spec["models"]:
        try:
            results[entry["name"]] = run(entry)
        except Exception:
            results[entry["name"]] = {"error": traceback.format_exc()}
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1])
