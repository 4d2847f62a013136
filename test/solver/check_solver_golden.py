"""Runs the emitted solver.py on the golden Caffe solver recordings and compares every parameter
after every iteration.

    python3 check_solver_golden.py cases.json

cases.json: [{"case": dir of a ../shared/golden/training/solver_* case,
              "modes": {"plain": {"solver": solver.py, "plan": solver --format json output},
                        "exact": {...}},
              "model": dir of `export --phase train` output, or null}]

Three ways of driving the emitted Solver, per mode:
- "gradients": Caffe's recorded raw gradients (the sum over iter_size) are put into .grad and
  Solver.apply_update() runs: the optimizer, clipping, normalisation, regularisation and the lr
  policy, with nothing else in between.
- "module": Solver.step() on a hand-written torch module of the cases' net (conv, ReLU, BatchNorm
  with batch statistics, Scale, MAX pool with Caffe's ceil, InnerProduct, softmax loss), fed the
  recorded data rows: forward, backward and accumulation over iter_size as well.
- "model": Solver.step() on the model `export --phase train` wrote, when it has Net.loss.

Prints one JSON report: per case, mode and driver, the error of every iteration (max over
parameters of max|param - reference| / max(1, max|reference|)), the loss error, and whether the
policy gave Caffe's lr bit for bit.
"""
import importlib.util
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(raw, dtype=torch.float32) if raw else torch.zeros(0)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blob_keys(plan):
    """(layer, blob) -> (state_dict key, torch shape) of every trained blob."""
    out = {}
    for group in plan["groups"]:
        for p in group["params"]:
            out[(p["layer"], p["blob"])] = (p["key"], p["shape"])
    for p in plan["frozen"]:
        out[(p["layer"], p["blob"])] = (p["key"], p["shape"])
    return out


class ParamNet(nn.Module):
    """Just the parameters, under the exported model's state_dict keys."""

    def __init__(self, values):
        super().__init__()
        for key, value in values.items():
            module_name, _, attr = key.rpartition(".")
            owner = self
            for part in module_name.split(".") if module_name else []:
                if not hasattr(owner, part):
                    owner.add_module(part, nn.Module())
                owner = getattr(owner, part)
            owner.register_parameter(attr, nn.Parameter(value.clone()))


class SolverNet(nn.Module):
    """The solver cases' train.prototxt by hand: conv1 -> ReLU -> BatchNorm (batch statistics,
    moving_average_fraction 0.9) + Scale with bias (bn1, as export fuses them) -> MAX pool 3/2
    (ceil) -> ip1 -> SoftmaxWithLoss (mean over the batch)."""

    def __init__(self, init):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4, eps=1e-5, momentum=0.1)
        self.ip1 = nn.Linear(36, 3)
        with torch.no_grad():
            self.conv1.weight.copy_(init["init/conv1/0"])
            self.conv1.bias.copy_(init["init/conv1/1"])
            self.bn1.weight.copy_(init["init/scale1/0"])
            self.bn1.bias.copy_(init["init/scale1/1"])
            self.ip1.weight.copy_(init["init/ip1/0"])
            self.ip1.bias.copy_(init["init/ip1/1"])

    def loss(self, data, label):
        x = self.bn1(F.relu(self.conv1(data)))
        x = F.max_pool2d(x, 3, 2, ceil_mode=True)
        return F.cross_entropy(self.ip1(x.flatten(1)), label.reshape(-1).long())


def scaled_error(value, ref):
    value = value.detach().to(torch.float64).reshape(-1)
    ref = ref.to(torch.float64).reshape(-1)
    return float((value - ref).abs().max()) / max(1.0, float(ref.abs().max()))


def compare_params(net, keys, tensors, k):
    worst, where = 0.0, None
    for (layer, blob), (key, shape) in keys.items():
        err = scaled_error(net.get_parameter(key), tensors[f"iter/{k}/param/{layer}/{blob}"])
        if err > worst or where is None:
            worst, where = max(worst, err), key if err >= worst else where
    return worst, where


def run_gradients(solver_module, plan, record, tensors):
    keys = blob_keys(plan)
    init = {key: tensors[f"init/{layer}/{blob}"].reshape(shape) for (layer, blob), (key, shape) in keys.items()}
    net = ParamNet(init)
    solver = solver_module.Solver(net)
    errors, where = [], []
    for it in record["iterations"]:
        k = it["k"]
        solver.optimizer.zero_grad()
        for (layer, blob), (key, shape) in keys.items():
            p = net.get_parameter(key)
            if p.requires_grad:
                p.grad = tensors[f"iter/{k}/grad/{layer}/{blob}"].reshape(shape).clone()
        solver.apply_update()
        err, key = compare_params(net, keys, tensors, k)
        errors.append(err)
        where.append(key)
    return {"errors": errors, "where": where}


def batches_of(record, tensors, k, label_shape):
    """Iteration k's iter_size batches: sub-iteration j takes rows [(k*iter_size + j)*4, +4)."""
    n, size = record["iter_size"], record["batch_size"]
    data, label = tensors["data/data"], tensors["data/label"]
    out = []
    for j in range(n):
        begin = (k * n + j) * size
        out.append((data[begin:begin + size], label[begin:begin + size].reshape(label_shape)))
    return out


def run_steps(solver_module, net, plan, record, tensors, label_shape=(-1,)):
    keys = blob_keys(plan)
    solver = solver_module.Solver(net)
    errors, where, loss_errors = [], [], []
    for it in record["iterations"]:
        k = it["k"]
        loss = solver.step(batches_of(record, tensors, k, label_shape))
        loss_errors.append(abs(loss - it["loss"]) / max(1.0, abs(it["loss"])))
        err, key = compare_params(net, keys, tensors, k)
        errors.append(err)
        where.append(key)
    return {"errors": errors, "where": where, "loss_errors": loss_errors}


def lr_exact(solver_module, record):
    lr = solver_module.CaffeLR()
    return all(lr.rate(it["k"]) == it["lr"] for it in record["iterations"])


def model_net(model_dir, case_dir, tag):
    path = os.path.join(model_dir, "model.py")
    if not os.path.exists(path):
        return None, "no model.py"
    model = load_module(path, "model_" + tag)
    if not hasattr(model.Net, "loss"):
        return None, "model.py has no Net.loss"
    weights = os.path.join(model_dir, "model.safetensors")
    # MemoryData's label top is [N, 1, 1, 1]; the recording stores the labels as [rows].
    shape = tuple(d if d is not None else -1 for d in (model.INPUT_SHAPES.get(model.INPUTS[-1]) or (-1,)))
    return model.build(weights if os.path.exists(weights) else None), (-1,) + shape[1:]


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    report = []
    for c in cases:
        case_dir = c["case"]
        name = os.path.basename(os.path.normpath(case_dir))
        with open(os.path.join(case_dir, "record.json")) as f:
            record = json.load(f)
        tensors = read_safetensors(os.path.join(case_dir, "record.safetensors"))
        entry = {"case": name, "iterations": len(record["iterations"]), "modes": {}}
        for mode, files in c["modes"].items():
            with open(files["plan"]) as f:
                plan = json.load(f)
            module = load_module(files["solver"], f"solver_{name}_{mode}")
            result = {"lr_exact": lr_exact(module, record)}
            result["gradients"] = run_gradients(module, plan, record, tensors)
            result["module"] = run_steps(module, SolverNet(tensors), plan, record, tensors)
            if c.get("model"):
                net, extra = model_net(c["model"], case_dir, f"{name}_{mode}")
                result["model"] = run_steps(module, net, plan, record, tensors, extra) if net is not None else {"skipped": extra}
            else:
                result["model"] = {"skipped": c.get("model_skipped", "not exported")}
            entry["modes"][mode] = result
        report.append(entry)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
