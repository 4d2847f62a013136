"""Checks behaviours of an emitted solver.py that the golden cases do not reach.

    python3 check_emitted.py solver.py

The solver is for test/solver/python-torch.test.ts's net: InnerProducts a and b sharing their
weight ("w"), a frozen InnerProduct f (lr_mult 0), and an InnerProduct u whose output no loss
reads. Prints one JSON object of observations.
"""
import importlib.util
import json
import sys

import torch
from torch import nn


def load(path):
    spec = importlib.util.spec_from_file_location("emitted_solver", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.f = nn.Linear(4, 4)
        self.u = nn.Linear(4, 2)

    def loss(self, x):
        return self.b(torch.relu(self.a(self.f(x)))).pow(2).mean()


solver_module = load(sys.argv[1])
net = Net()
u_before = net.u.weight.detach().clone()
solver = solver_module.Solver(net)
out = {
    "tied": net.b.weight is net.a.weight,
    "frozen": [not net.f.weight.requires_grad, not net.f.bias.requires_grad],
    "group_lrs": [g["lr"] for g in solver.optimizer.param_groups],
    "in_optimizer": sum(len(g["params"]) for g in solver.optimizer.param_groups),
}
losses = []
x = torch.randn(3, 4)
for _ in range(3):
    losses.append(solver.step([(x,)]))
out["losses"] = losses
# u never gets a gradient; Caffe still applies momentum and weight decay to it.
out["unused_moved"] = float((net.u.weight.detach() - u_before).abs().max())
out["rates"] = [solver_module.CaffeLR().rate(k) for k in range(6)]
json.dump(out, sys.stdout)
