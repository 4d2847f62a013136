"""Runs exported models' forward_layers on given inputs and saves every layer's tops.

Usage: run_forward_layers.py spec.json, spec = [{"id", "model": model.py path, "weights": a
.safetensors path or null, "inputs": a .safetensors of the net inputs by blob name, "out": the
.safetensors to write, one float32 tensor "<layer>/<top index>" per top}]. All models run in this
one process. Prints {"torch": version, "results": {id: {"ok": true} or {"error": traceback}}}.
"""
import importlib.util
import json
import struct
import sys
import traceback

import torch


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_safetensors(path, tensors):
    """The safetensors format: an 8-byte little-endian header size, a JSON header, the data."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def run(entry, index):
    model = load(entry["model"], "fork_exec_model_%d" % index)
    net = model.build(weights=entry["weights"] if entry["weights"] else False)
    inputs, _ = model.read_safetensors(entry["inputs"])
    tops = {}
    with torch.no_grad():
        try:
            net.forward_layers(*[inputs[b] for b in model.INPUTS], tops=tops)
            error = None
        except Exception:  # the layers before the failing one are still compared
            error = traceback.format_exc()
    out = {}
    for layer, values in tops.items():
        for i, v in enumerate(values):
            if isinstance(v, torch.Tensor):
                out["%s/%d" % (layer, i)] = v
    write_safetensors(entry["out"], out)
    return {"ok": error is None, **({"error": error} if error else {})}


def main(spec_path):
    spec = json.load(open(spec_path))
    results = {}
    for i, entry in enumerate(spec):
        try:
            results[entry["id"]] = run(entry, i)
        except Exception:
            results[entry["id"]] = {"ok": False, "error": traceback.format_exc()}
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1])
