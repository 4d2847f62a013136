"""Runs emitted solver.py files (plain torch.optim and --exact) in real PyTorch on given gradients.

    python3 run_solver_torch.py cases.json out.json

cases.json: [{"name", "solver": path of a solver.py, "keys": [state_dict keys], "initial": [[values]
per key], "gradients": [[[values] per key] per iteration]}]. Each key becomes a 1-D parameter of
its values (the emitted Solver only reaches parameters through net.get_parameter). Per iteration
the gradients go into .grad of the parameters that require one and Solver.apply_update() runs.
Writes [{"name", "params": [[[values] per key] per iteration]}] to out.json.
"""
import importlib.util
import json
import sys

import torch
from torch import nn

torch.set_num_threads(1)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ParamNet(nn.Module):
    def __init__(self, values):
        super().__init__()
        for key, value in values.items():
            module_name, _, attr = key.rpartition(".")
            owner = self
            for part in module_name.split(".") if module_name else []:
                if not hasattr(owner, part):
                    owner.add_module(part, nn.Module())
                owner = getattr(owner, part)
            owner.register_parameter(attr, nn.Parameter(value))


def run(case, index):
    module = load_module(case["solver"], f"solver_{index}")
    keys = case["keys"]
    net = ParamNet({k: torch.tensor(v, dtype=torch.float32) for k, v in zip(keys, case["initial"])})
    solver = module.Solver(net)
    out = []
    for grads in case["gradients"]:
        for key, g in zip(keys, grads):
            p = net.get_parameter(key)
            if p.requires_grad:
                p.grad = torch.tensor(g, dtype=torch.float32)
        solver.apply_update()
        out.append([net.get_parameter(k).detach().tolist() for k in keys])
    return {"name": case["name"], "params": out}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([run(c, i) for i, c in enumerate(cases)], f)


if __name__ == "__main__":
    main()
