"""Runs generated helpers on small inputs: python3 run_helpers.py module.py cases.json.

module.py holds generated Python (the helper classes with model.py's imports, or a whole
model.py). Each case is {"helper": class name, "kwargs": {...}} or {"expr": a Python
expression over inputs[i] and the module's names}, plus "inputs": [{"data": nested lists,
"grad": bool}]. Prints, per case, the outputs [{"shape", "data"}] and, when the first output
has a gradient, each input's gradient after backward() of that output (null for inputs without
one); or {"error": "Type: message"} when the call raises.
"""
import importlib.util
import json
import sys

import torch
from torch.nn import functional as F


def _load(path):
    spec = importlib.util.spec_from_file_location("generated_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain(t):
    return {"shape": list(t.shape), "data": t.detach().to(torch.float64).reshape(-1).tolist()}


def run_case(helpers, case):
    inputs = [torch.tensor(i["data"], dtype=torch.float32, requires_grad=i.get("grad", False)) for i in case["inputs"]]
    try:
        if "expr" in case:
            out = eval(case["expr"], dict(vars(helpers), torch=torch, F=F, inputs=inputs))
        else:
            out = getattr(helpers, case["helper"])(**case.get("kwargs", {}))(*inputs)
    except Exception as error:  # reported, for tests of the errors the helpers raise
        return {"error": "{}: {}".format(type(error).__name__, error)}
    outs = list(out) if isinstance(out, tuple) else [out]
    grads = None
    if outs[0].requires_grad:
        outs[0].backward()
        grads = [None if x.grad is None else _plain(x.grad) for x in inputs]
    return {"outputs": [_plain(o) for o in outs], "grads": grads}


def main():
    helpers = _load(sys.argv[1])
    with open(sys.argv[2]) as f:
        cases = json.load(f)
    torch.manual_seed(0)
    json.dump([run_case(helpers, c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
