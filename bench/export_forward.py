"""Forward time of an exported ResNet-50 (generated forward) against the same module objects
called from a hand-written forward, one thread, alternating, medians. Prints JSON."""
import importlib.util
import json
import statistics
import sys
import time

import torch


def load(path):
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def direct_forward(net):
    """A ResNet-50 forward written by hand over the exported modules (Caffe's layer names)."""
    m = lambda name: getattr(net, name)
    stages = []
    for stage, blocks in (("2", "abc"), ("3", "abcd"), ("4", "abcdef"), ("5", "abc")):
        for i, b in enumerate(blocks):
            n = stage + b
            shortcut = (m("res" + n + "_branch1"), m("bn" + n + "_branch1")) if i == 0 else None
            body = [m(name) for name in (
                "res" + n + "_branch2a", "bn" + n + "_branch2a", "res" + n + "_branch2a_relu",
                "res" + n + "_branch2b", "bn" + n + "_branch2b", "res" + n + "_branch2b_relu",
                "res" + n + "_branch2c", "bn" + n + "_branch2c")]
            stages.append((shortcut, body, m("res" + n + "_relu")))
    stem = (net.conv1, net.bn_conv1, net.conv1_relu, net.pool1)

    def forward(x):
        for layer in stem:
            x = layer(x)
        for shortcut, body, relu in stages:
            s = x if shortcut is None else shortcut[1](shortcut[0](x))
            y = x
            for layer in body:
                y = layer(y)
            x = relu(s + y)
        x = net.pool5(x)
        return net.prob(net.fc1000(torch.flatten(x, 1)))

    return forward


def main(path, rounds):
    torch.set_num_threads(1)
    model = load(path)
    net = model.build().eval()
    direct = direct_forward(net)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        same = torch.equal(net(x), direct(x))
        for _ in range(2):
            net(x), direct(x)
        generated, hand = [], []
        for _ in range(rounds):
            t = time.perf_counter(); net(x); generated.append(time.perf_counter() - t)
            t = time.perf_counter(); direct(x); hand.append(time.perf_counter() - t)
    g, h = statistics.median(generated), statistics.median(hand)
    print(json.dumps({"generated": g, "direct": h, "ratio": g / h, "same_output": same}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15)
