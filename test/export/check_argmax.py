"""Runs an exported model's ArgMax layers on inputs full of equal values and compares them
with ArgMaxLayer::Forward_cpu (BVLC argmax_layer.cpp) written out here with Python lists.

Usage: check_argmax.py model.py spec.json, where spec = {"inputs": {blob: shape},
"layers": {name: {"bottom": blob, "axis": int or null, "top_k": k, "out_max_val": bool}}}.
Prints {"argmax": {name: {"shape": [...], "expected_shape": [...], "equal": bool}},
"tops": {every layer: [[shape, sum of |values|] per top]}}.
"""
import importlib.util
import json
import sys

import torch


def caffe_argmax(x, axis, top_k, out_max_val):
    """The top as Caffe computes it: (value, index) pairs sorted with std::greater."""
    shape = list(x.shape)
    data = x.reshape(-1).tolist()
    count = len(data)
    if axis is not None:
        axis = axis + len(shape) if axis < 0 else axis  # CanonicalAxisIndex
        dim = shape[axis]
        axis_dist = _prod(shape[axis + 1:])  # count(axis) / dim
        top_shape = shape[:axis] + [top_k] + shape[axis + 1:]
    else:
        dim = count // shape[0]
        axis_dist = 1
        top_shape = [1] * max(len(shape), 3)
        top_shape[0] = shape[0]
        top_shape[2] = top_k
        if out_max_val:
            top_shape[1] = 2
    top = [0.0] * _prod(top_shape)
    for i in range(count // dim):
        pairs = [(data[(i // axis_dist * dim + j) * axis_dist + i % axis_dist], j) for j in range(dim)]
        best = sorted(pairs, reverse=True)[:top_k]
        for j, (value, index) in enumerate(best):
            if axis is None and out_max_val:
                top[2 * i * top_k + j] = float(index)
                top[2 * i * top_k + top_k + j] = value
            else:
                at = (i // axis_dist * top_k + j) * axis_dist + i % axis_dist
                top[at] = value if out_max_val else float(index)
    return top, top_shape


def _prod(dims):
    p = 1
    for d in dims:
        p *= d
    return p


def main(model_path, spec_path):
    spec = json.load(open(spec_path))
    module_spec = importlib.util.spec_from_file_location("argmax_model", model_path)
    model = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(model)
    generator = torch.Generator().manual_seed(7)
    # Values in {0, 1, 2}: most of each ranked set is ties.
    inputs = {blob: torch.randint(0, 3, shape, generator=generator).to(torch.float32)
              for blob, shape in spec["inputs"].items()}
    net = model.build(weights=False)
    with torch.no_grad():
        tops = net.forward_layers(*[inputs[b] for b in model.INPUTS])
    report = {}
    for name, layer in spec["layers"].items():
        got = tops[name][0]
        expected, expected_shape = caffe_argmax(
            inputs[layer["bottom"]], layer["axis"], layer["top_k"], layer["out_max_val"])
        report[name] = {
            "shape": list(got.shape),
            "expected_shape": expected_shape,
            "equal": list(got.shape) == expected_shape and got.reshape(-1).tolist() == expected,
        }
    summary = {name: [[list(t.shape), float(t.abs().sum())] for t in values] for name, values in tops.items()}
    print(json.dumps({"argmax": report, "tops": summary}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
