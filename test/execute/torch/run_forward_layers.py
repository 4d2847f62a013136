"""Runs exported models' forward_layers in real PyTorch, many models in one process.

Usage: run_forward_layers.py cases.json, where cases.json is [{"dir": d}] and each d holds
model.py (as export writes it), state.safetensors (its state_dict, loaded with strict=False:
num_batches_tracked keeps its default) and inputs.safetensors (one tensor per name in INPUTS).
Writes d/tops.safetensors with tensors "t0", "t1", ... (float32; integer tops converted) and
prints one JSON report per case: {"error": str | None, "tops": [[layer, k, name], ...]}.
"""
import importlib.util
import json
import os
import struct
import sys

import torch


def _load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_safetensors(path, tensors):
    header = {}
    chunks = []
    offset = 0
    for name, value in tensors:
        data = value.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def run_case(directory, tag):
    model = _load_module(os.path.join(directory, "model.py"), "parity_" + tag)
    state, _ = model.read_safetensors(os.path.join(directory, "state.safetensors"))
    inputs, _ = model.read_safetensors(os.path.join(directory, "inputs.safetensors"))
    torch.manual_seed(0)
    net = model.Net()
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected:
        return {"error": "unexpected state keys {}".format(sorted(unexpected)), "tops": []}
    net.train(model.PHASE == "TRAIN")
    tops = {}
    error = None
    with torch.no_grad():
        try:
            net.forward_layers(*[inputs[name] for name in model.INPUTS], tops=tops)
        except Exception as e:  # report where it stopped: the layers before are in tops
            error = "{}: {}".format(type(e).__name__, e)
    names = []
    tensors = []
    for layer, values in tops.items():
        for k, value in enumerate(values):
            if not torch.is_tensor(value):
                continue
            name = "t{}".format(len(tensors))
            names.append([layer, k, name])
            tensors.append((name, value))
    _write_safetensors(os.path.join(directory, "tops.safetensors"), tensors)
    return {"error": error, "tops": names}


if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    print(json.dumps([run_case(c["dir"], str(i)) for i, c in enumerate(cases)]))
