"""Runs exported TRAIN-phase models on the ../shared/golden/training grad_* recordings.

python3 check_training.py cases.json, with cases.json = [{"case": dir of a grad_* case,
"export": dir of its exported model.py, "tag": unique module name, "first_iteration": true for a solver_* case}], prints one JSON report:
per case, every recorded top (forward_layers), every loss top, Net.loss against total_loss,
every parameter and input gradient after Net.loss().backward() (blobs mapped through
CAFFE_BLOBS) and every BatchNorm blob after the forward, each as {name, max_abs_error,
scaled_error} with scaled_error = max|a - b| / max(1, max|reference|). A solver_* case
(first_iteration) is checked on its first batch: loss, raw gradients, BatchNorm blobs.
"""
import copy
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


def _error(name, got, ref):
    got = got.detach().to(torch.float64).reshape(-1)
    ref = ref.to(torch.float64).reshape(-1)
    if got.numel() != ref.numel():
        return {"name": name, "shape_mismatch": [got.numel(), ref.numel()], "scaled_error": float("inf")}
    diff = float((got - ref).abs().max()) if ref.numel() else 0.0
    scale = max(1.0, float(ref.abs().max())) if ref.numel() else 1.0
    return {"name": name, "max_abs_error": diff, "scaled_error": diff / scale}


def _tops(record, tensors, net, inputs):
    with torch.no_grad():
        tops = net.forward_layers(*inputs)
    out = []
    for layer in record["layers"]:
        got = tops.get(layer["name"])
        for k, top in enumerate(layer["tops"]):
            name = "{}/{}".format(layer["name"], k)
            if got is None or k >= len(got):
                out.append({"name": name, "missing": True, "scaled_error": float("inf")})
            else:
                out.append(_error(name, got[k], tensors[top["tensor"]]))
    return out, tops


def _losses(record, tops):
    by_blob = {}
    for layer in record["layers"]:
        for k, top in enumerate(layer["tops"]):
            by_blob[top["blob"]] = tops[layer["name"]][k]
    return [_error("loss/" + blob, by_blob[blob], torch.tensor(value)) for blob, value in record["losses"].items()]


def _bn_blobs(record, tensors, model, net):
    """Caffe's BatchNorm blobs [mean*s, var*s, s] after the forward, from the module's state."""
    state = net.state_dict()
    out = []
    for p in record["params"]:
        if p["after_forward"] is None:
            continue
        keys = model.CAFFE_BLOBS[p["layer"]]
        mean_key, var_key, s_key = keys[0], keys[1], keys[2]
        ref = tensors[p["after_forward"]]
        name = "{}/{}".format(p["layer"], p["index"])
        if s_key is None:
            # Plain nn.BatchNorm: compare its estimate with Caffe's sum / s (no s of its own).
            s_ref = tensors["param_after/{}/2".format(p["layer"])]
            if p["index"] == 2:
                continue
            got = state[mean_key if p["index"] == 0 else var_key]
            out.append(dict(_error(name, got, ref / s_ref), compared="sum/s"))
        else:
            s = state[s_key]
            got = s if p["index"] == 2 else state[mean_key if p["index"] == 0 else var_key] * s
            out.append(dict(_error(name, got, ref), compared="blob"))
    return out


def _grads(record, tensors, model, net, inputs):
    params = dict(net.named_parameters())
    out = []
    for p in record["params"]:
        key = model.CAFFE_BLOBS[p["layer"]][p["index"]]
        name = "{}/{}".format(p["layer"], p["index"])
        ref = tensors[p["grad"]]
        if key not in params:
            # A buffer (BatchNorm statistics) or no counterpart: Caffe never computes its gradient.
            out.append(dict(name=name, buffer=True, scaled_error=float(ref.abs().max())))
            continue
        grad = params[key].grad
        if grad is None:
            grad = torch.zeros_like(params[key])
        out.append(_error(name, grad, ref))
    for entry, x in zip(record["inputs"], inputs):
        if entry["grad"] is not None:
            grad = x.grad if x.grad is not None else torch.zeros_like(x)
            out.append(_error("input/" + entry["blob"], grad, tensors[entry["grad"]]))
    return out


def check_case(case_dir, export_dir, tag):
    with open(os.path.join(case_dir, "record.json")) as f:
        record = json.load(f)
    model = _load_module(os.path.join(export_dir, "model.py"), "training_" + tag)
    tensors, _ = model.read_safetensors(os.path.join(case_dir, "record.safetensors"))
    net = model.build()
    # Each copy runs one forward, as Caffe's recording did: its statistics update once.
    layers_net = copy.deepcopy(net)
    entries = {e["blob"]: e for e in record["inputs"]}
    inputs = []
    for blob in model.INPUTS:
        x = tensors["input/" + blob].clone()
        if entries[blob]["grad"] is not None:
            x.requires_grad_(True)
        inputs.append(x)
    tops, values = _tops(record, tensors, layers_net, [x.detach() for x in inputs])
    losses = _losses(record, values)
    objective = net.loss(*inputs)
    losses.append(_error("total_loss", objective, torch.tensor(record["total_loss"])))
    objective.backward()
    return {
        "case": record["case"],
        "training": net.training,
        "tops": tops,
        "losses": losses,
        "grads": _grads(record, tensors, model, net, inputs),
        "bn": _bn_blobs(record, tensors, model, net),
        "bn_after_layers": _bn_blobs(record, tensors, model, layers_net),
    }


def check_first_iteration(case_dir, export_dir, tag):
    """A solver_* case's first forward and backward: its MemoryData layer is the net's input."""
    with open(os.path.join(case_dir, "record.json")) as f:
        record = json.load(f)
    model = _load_module(os.path.join(export_dir, "model.py"), "training_" + tag)
    tensors, _ = model.read_safetensors(os.path.join(case_dir, "record.safetensors"))
    first = record["iterations"][0]
    begin, end = first["rows"][0]
    data = tensors[record["data"]["data"]][begin:end]
    label = tensors[record["data"]["label"]][begin:end].reshape(model.INPUT_SHAPES[model.INPUTS[1]])
    net = model.build()
    objective = net.loss(data, label)
    losses = [_error("sub_losses/0", objective, torch.tensor(first["sub_losses"][0]))]
    objective.backward()
    params = dict(net.named_parameters())
    grads, bn = [], []
    state = net.state_dict()
    for p in record["params"]:
        keys = model.CAFFE_BLOBS[p["layer"]]
        name = "{}/{}".format(p["layer"], p["index"])
        if p["type"] == "BatchNorm":
            # With iter_size 1 the parameter after the step is the statistics after this forward.
            s = state[keys[2]]
            got = s if p["index"] == 2 else state[keys[p["index"]]] * s
            bn.append(_error(name, got, tensors["iter/0/param/" + name]))
        else:
            # The raw gradient of iteration 0 (before weight decay and the update).
            grads.append(_error(name, params[keys[p["index"]]].grad, tensors["iter/0/grad/" + name]))
    return {"case": record["case"], "training": net.training, "input_shapes": model.INPUT_SHAPES,
            "tops": [], "losses": losses, "grads": grads, "bn": bn, "bn_after_layers": bn}


def main():
    torch.manual_seed(0)
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    reports = [(check_first_iteration if c.get("first_iteration") else check_case)(c["case"], c["export"], c["tag"])
               for c in cases]
    json.dump(reports, sys.stdout)


if __name__ == "__main__":
    main()
