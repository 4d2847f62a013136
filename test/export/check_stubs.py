"""Build a model.py written by `caffe2torch export --allow-stubs` and exercise its stubs.

Usage:
    check_stubs.py MODEL.py

Prints one JSON document: what every CaffeLayerStub holds (by attribute), the exception the
forward pass raises (type and message), each stub's NotImplementedError message, the output
shapes once every stub is replaced by nn.Identity() (as a user replaces a stub by hand), and
what build(stand_ins=...) does: which key replaced which stub, what the factories were given,
the mode of the stand-ins, the outputs, and the error for a key that selects no stub.
"""

import importlib.util
import json
import sys

import torch
from torch import nn


def main(path):
    spec = importlib.util.spec_from_file_location("caffe2torch_stubs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build(weights=False)
    stubs = {
        name: {
            "class": type(m).__name__,
            "caffe_name": m.caffe_name,
            "caffe_type": m.caffe_type,
            "attribute": m.attribute,
            "reason": m.reason,
            "prototxt": m.prototxt,
            "python": m.python,
            "param_str": m.param_str,
            "bottoms": list(m.bottoms),
            "tops": list(m.tops),
            "top_shapes": [None if t is None else list(t) for t in m.top_shapes],
            "keys": m.stand_in_keys(),
        }
        for name, m in net.named_children()
        if isinstance(m, module.CaffeLayerStub)
    }
    xs = [torch.randn(*[1 if d is None else d for d in module.INPUT_SHAPES[b]]) for b in module.INPUTS]
    raised = None
    try:
        net(*xs)
    except Exception as e:  # noqa: BLE001  (the test checks which)
        raised = {"type": type(e).__name__, "message": str(e)}
    messages = {}
    for name in stubs:
        try:
            getattr(net, name)(torch.zeros(1))
        except NotImplementedError as e:
            messages[name] = str(e)
    for name in stubs:
        setattr(net, name, nn.Identity())
    out = net(*xs)
    out = out if isinstance(out, tuple) else (out,)
    result = {"stubs": stubs, "raised": raised, "messages": messages, "replaced_outputs": [list(t.shape) for t in out], "layer_names": module.LAYER_NAMES}
    result.update(stand_ins(module, xs))
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


class Doubler(nn.Module):
    """A user's port of the Python layer: doubles its bottom; keeps what the stub gave it."""

    def __init__(self, stub):
        super().__init__()
        self.given = {"caffe_name": stub.caffe_name, "param_str": stub.param_str}

    def forward(self, x):
        return 2 * x


def stand_ins(module, xs):
    """build(stand_ins=...) with a Python class key, a type key, and layer-name keys."""
    factories = {
        "my_layers.Gate": Doubler,
        "SPP": lambda stub: nn.Identity(),
        "Convolutoin": lambda stub: nn.Identity(),
        "interp": lambda stub: nn.Identity(),
        "relu": lambda stub: nn.ReLU(),
        "Zzqx": lambda stub: nn.Identity(),
    }
    net = module.build(weights=False, stand_ins=factories)
    replaced = {name: type(m).__name__ for name, m in net.named_children() if name in module.LAYER_NAMES and name != "conv"}
    out = net(*xs)
    out = out if isinstance(out, tuple) else (out,)
    try:
        module.build(weights=False, stand_ins={"my_layers.Gatee": Doubler})
        unused = None
    except KeyError as e:
        unused = str(e)
    return {
        "stand_in_classes": replaced,
        "stand_in_given": net.py.given,
        "stand_in_training": [m.training for m in net.children()],
        "stand_in_outputs": [list(t.shape) for t in out],
        "stand_in_doubles": bool(torch.equal(net.forward_layers(*xs)["py"][0], 2 * net.forward_layers(*xs)["norm"][0])),
        "unused_key_error": unused,
    }


main(sys.argv[1])
