"""Build a model.py written by `caffe2torch export` without weights and describe its parameters.

Usage:
    filler_stats.py MODEL.py

build(weights=False) initialises every parameter with init_caffe_fillers(net, seed=0). Prints
one JSON document: per parameter (state_dict key) its shape, mean, std (population), min, max,
the share of zeros, and the sums of the slices along axis 0
and along axis 1 (for positive_unitball rows); then whether build() is the same as seed 0, a
second build with seed 0 is equal, and which parameters change with seed 1.
"""

import importlib.util
import json
import sys

import torch


def load(path):
    spec = importlib.util.spec_from_file_location("caffe2torch_fillers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def describe(t):
    t = t.detach().double()
    out = {
        "shape": list(t.shape),
        "mean": t.mean().item(),
        "std": t.std(unbiased=False).item(),
        "min": t.min().item(),
        "max": t.max().item(),
        "zeros": (t == 0).double().mean().item(),
    }
    if t.dim() >= 2:
        out["sums_axis0_slices"] = t.reshape(t.shape[0], -1).sum(dim=1).tolist()
        out["sums_axis1_slices"] = t.transpose(0, 1).reshape(t.shape[1], -1).sum(dim=1).tolist()
    return out


def main(path):
    module = load(path)
    net = module.build(weights=False)
    params = dict(net.named_parameters())
    again = dict(module.build(weights=False, seed=0).named_parameters())
    other = dict(module.build(weights=False, seed=1).named_parameters())
    default = dict(module.build().named_parameters())
    result = {
        "parameters": {k: describe(v) for k, v in params.items()},
        "seed0_repeatable": all(torch.equal(params[k], again[k]) for k in params),
        "build_default_is_seed0": all(torch.equal(params[k], default[k]) for k in params),
        "changed_by_seed": sorted(k for k in params if not torch.equal(params[k], other[k])),
        # Every value of the parameters up to 4096 values (exact as float32 -> double), for exact comparisons.
        "float32": {k: v.detach().reshape(-1).tolist() for k, v in params.items() if v.numel() <= 4096},
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


main(sys.argv[1])
