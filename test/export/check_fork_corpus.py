"""Runs exported corpus nets under PyTorch on random inputs of their INPUT_SHAPES.

Usage: check_fork_corpus.py cases.json   (cases.json: [{"id": name, "export": dir}])
Prints {"torch": version, "results": {id: {"ok": true, "tops": {layer: [[shape, finite]...]},
"outputs": [[shape, finite]...]} or {"ok": false, "error": text}}}.

Each net runs once through forward_layers, whose tops are reduced to shapes and finiteness as
they come (a whole PSPNet's activations would not fit in memory), and once through forward.
"""
import importlib.util
import json
import sys
import traceback

import torch


class Shapes(dict):
    """A tops dict for forward_layers that keeps each top's shape and finiteness only."""

    def __setitem__(self, layer, tensors):
        super().__setitem__(layer, [[list(t.shape), bool(torch.isfinite(t).all())] for t in tensors])


def run(folder):
    spec = importlib.util.spec_from_file_location("corpus_model", folder + "/model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build(weights=False)
    torch.manual_seed(0)
    args = [torch.randn(*module.INPUT_SHAPES[b]) for b in module.INPUTS]
    with torch.no_grad():
        tops = Shapes()
        net.forward_layers(*args, tops=tops)
        out = net(*args)
    outputs = out if isinstance(out, tuple) else (out,)
    return {"ok": True, "tops": dict(tops), "outputs": [[list(t.shape), bool(torch.isfinite(t).all())] for t in outputs]}


def main():
    torch.set_num_threads(2)
    results = {}
    for case in json.load(open(sys.argv[1])):
        try:
            results[case["id"]] = run(case["export"])
        except Exception:
            results[case["id"]] = {"ok": False, "error": traceback.format_exc(limit=3)}
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
