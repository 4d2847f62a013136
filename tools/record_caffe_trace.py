#!/usr/bin/env python3
"""Record a trace of your own Caffe BatchNorm blocks, for `caffe2torch verify --trace`.

Needs pycaffe (BVLC Caffe or a compatible build) and numpy; not PyTorch. For every BatchNorm layer
of NET (or those named with --layers), the script builds a one-block net -- Input -> BatchNorm ->
Scale, with the layer's own batch_norm_param and scale_param -- runs it in Caffe on seeded inputs
of the layer's input shape, and writes what Caffe computed in the golden trace format
(shared/golden/README.md, section 2): the inputs, the top after every forward, the three BatchNorm
blobs and the effective statistics (blob * fround(1/s)), and with --backward the diffs.
`caffe2torch verify --trace TRACE.json` then replays every step through caffe2torch's Caffe executor;
a mismatch means your Caffe computes something the conversion does not assume.

Usage:
    record_caffe_trace.py NET.prototxt -o TRACE.json [--weights NET.caffemodel]
        [--layers bn1,bn2] [--phases TRAIN:5,TEST:2] [--batch N] [--seed S] [--backward]

    NET.prototxt   must be instantiable by pycaffe in TEST phase (a deploy prototxt with Input
                   layers works anywhere; a train_val with Data layers needs its databases). Input
                   shapes are read from the instantiated net; --batch replaces the batch dimension.
    --weights      start from trained blobs: the BatchNorm sums and scale factor, gamma and beta.
                   Without it the BatchNorm blobs start at zero (a fresh layer) and gamma/beta are
                   seeded (gamma in [0.5, 1.5], beta ~ N(0, 0.5^2)), so that they matter.
    --phases       the forwards per phase, run in order on nets that share the blobs (as Caffe's
                   solver shares its test net with the train net). Default TRAIN:5,TEST:2.
    --backward     after each forward, a backward with a seeded top diff (force_backward), and the
                   bottom, gamma and beta diffs recorded.

Limits: only the BatchNorm and a Scale reading its top are recorded; a separate Bias layer after a
Scale without bias_term is not (the format has no place for it). The trace has no PyTorch
variants ("torch": {}), so the replay checks the Caffe side only. Inputs are drawn with numpy
RandomState(seed + 17*i) for block i, with a per-channel offset so the statistics are not trivial.
"""

import argparse
import datetime
import json
import platform
import sys

import numpy as np


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Record a golden-format trace of a net's BatchNorm blocks with pycaffe.")
    parser.add_argument("prototxt")
    parser.add_argument("-o", "--output", required=True, help="the trace (JSON) to write")
    parser.add_argument("--weights", help="a .caffemodel with trained blobs")
    parser.add_argument("--layers", help="comma-separated BatchNorm layer names (default: all)")
    parser.add_argument("--phases", default="TRAIN:5,TEST:2", help="forwards per phase, in order")
    parser.add_argument("--batch", type=int, help="batch size of the recorded inputs")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--backward", action="store_true", help="record diffs too")
    return parser.parse_args(argv)


def parse_phases(text):
    phases = []
    for item in text.split(","):
        name, _, count = item.partition(":")
        name = name.strip().upper()
        if name not in ("TRAIN", "TEST") or not count.strip().isdigit() or int(count) < 1:
            raise SystemExit("--phases: expected PHASE:COUNT items such as TRAIN:5,TEST:2, got " + repr(item))
        phases.append({"phase": name, "forwards": int(count)})
    return phases


def record(array):
    """A golden tensor: float32 values widened exactly to doubles, flat and row-major."""
    a = np.ascontiguousarray(array, dtype=np.float32)
    return {"shape": [int(d) for d in a.shape], "data": [float(v) for v in a.reshape(-1)]}


def as_written(value):
    """A float32 field as the shortest decimal that round-trips it (0.999, not 0.99900001287)."""
    return float(str(np.float32(value)))


def effective(mean_sum, var_sum, s):
    """Caffe's effective statistics: blob * fround(1/s) in float32, both 0 when s == 0."""
    s = np.float32(s)
    factor = np.float32(0) if s == 0 else np.float32(1) / s
    return (np.float32(mean_sum) * factor).astype(np.float32), (np.float32(var_sum) * factor).astype(np.float32)


def find_blocks(net_param, names):
    """(BatchNorm layer, Scale layer reading its top or None) for each selected BatchNorm."""
    layers = list(net_param.layer)
    blocks = []
    for i, layer in enumerate(layers):
        if layer.type != "BatchNorm" or (names and layer.name not in names):
            continue
        top = layer.top[0]
        scale = next((l for l in layers[i + 1:] if l.type == "Scale" and l.bottom and l.bottom[0] == top), None)
        blocks.append((layer, scale))
    missing = set(names or []) - {bn.name for bn, _ in blocks}
    if missing:
        raise SystemExit("no BatchNorm layer named " + ", ".join(sorted(missing)))
    return blocks


def case_prototxt(caffe_pb2, text_format, name, bn, scale, shape, backward):
    """The one-block net: the user's layers, renamed and rewired to data -> bn -> out."""
    net = caffe_pb2.NetParameter()
    net.name = name
    net.force_backward = backward
    data = net.layer.add()
    data.name, data.type = "data", "Input"
    data.top.append("data")
    data.input_param.shape.add().dim.extend(shape)
    for source, new_name, bottom, top in ((bn, "bn", "data", "bn"), (scale, "scale", "bn", "out")):
        if source is None:
            continue
        layer = net.layer.add()
        layer.CopyFrom(source)
        layer.name = new_name
        del layer.bottom[:], layer.top[:], layer.include[:], layer.exclude[:]
        layer.bottom.append(bottom)
        layer.top.append(top)
    return text_format.MessageToString(net)


def run_case(caffe, text, phases, ugs, blobs, gamma, beta, shape, rng, backward):
    """Runs the phases on nets sharing the blobs; returns inputs, upstream grads and Caffe's steps."""
    import os
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".prototxt", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        nets = {}
        for p in phases:
            if p["phase"] not in nets:
                nets[p["phase"]] = caffe.Net(path, getattr(caffe, p["phase"]))
    finally:
        os.unlink(path)
    first = nets[phases[0]["phase"]]
    for i, value in enumerate(blobs):
        first.params["bn"][i].data[...] = value
    if gamma is not None:
        first.params["scale"][0].data[...] = gamma
        if beta is not None and len(first.params["scale"]) > 1:
            first.params["scale"][1].data[...] = beta
    for net in nets.values():
        if net is not first:
            net.share_with(first)

    top_blob = "out" if gamma is not None else "bn"
    inputs, grads, steps = [], [], []
    offset = rng.randn(shape[1]).astype(np.float32) * 2 if len(shape) > 1 else np.zeros(1, np.float32)
    bshape = [1, -1] + [1] * (len(shape) - 2)
    updates = 0
    for p in phases:
        net = nets[p["phase"]]
        for _ in range(p["forwards"]):
            x = (rng.randn(*shape) * (1 + rng.rand()) + offset.reshape(bshape[:len(shape)])).astype(np.float32)
            net.blobs["data"].data[...] = x
            net.forward()
            bn = net.params["bn"]
            s = float(bn[2].data[0])
            # BatchNormLayer::Forward_cpu updates the blobs whenever it uses batch statistics.
            updates += 0 if ugs[p["phase"]] else 1
            mean, var = effective(bn[0].data, bn[1].data, s)
            step = {"step": len(steps), "phase": p["phase"], "top": record(net.blobs[top_blob].data),
                    "bn_mean_sum": record(bn[0].data), "bn_var_sum": record(bn[1].data),
                    "bn_scale_factor": s, "effective_mean": record(mean), "effective_var": record(var),
                    "stat_updates_so_far": updates}
            inputs.append(record(x))
            if backward:
                for blob in list(net.params["bn"]) + list(net.params.get("scale", [])):
                    blob.diff[...] = 0
                net.blobs["data"].diff[...] = 0
                g = rng.randn(*net.blobs[top_blob].data.shape).astype(np.float32)
                net.blobs[top_blob].diff[...] = g
                net.backward()
                grads.append(record(g))
                diffs = [("bottom_diff", net.blobs["data"].diff)]
                if gamma is not None:
                    diffs.append(("scale_diff", net.params["scale"][0].diff))
                    if len(net.params["scale"]) > 1:
                        diffs.append(("bias_diff", net.params["scale"][1].diff))
                for key, diff in diffs:
                    step[key] = record(diff)
                    step[key + "_computed"] = bool(np.any(diff != 0))
            steps.append(step)
    return inputs, (grads if backward else None), steps, top_blob


def build_case(caffe, caffe_pb2, text_format, index, bn, scale, shape, params_from, args, phases):
    rng = np.random.RandomState(args.seed + 17 * index)
    channels = shape[1] if len(shape) > 1 else 1
    bnp = bn.batch_norm_param
    if params_from is not None and bn.name in params_from.params:
        blobs = [np.array(b.data, dtype=np.float32) for b in params_from.params[bn.name]]
    else:
        blobs = [np.zeros(channels, np.float32), np.zeros(channels, np.float32), np.zeros(1, np.float32)]
    gamma = beta = None
    bias_term = scale is not None and scale.scale_param.bias_term
    if scale is not None:
        if params_from is not None and scale.name in params_from.params:
            trained = params_from.params[scale.name]
            gamma = np.array(trained[0].data, dtype=np.float32)
            beta = np.array(trained[1].data, dtype=np.float32) if bias_term else None
        else:
            gamma = rng.uniform(0.5, 1.5, channels).astype(np.float32)
            beta = (rng.randn(channels) * 0.5).astype(np.float32) if bias_term else None
    name = bn.name
    text = case_prototxt(caffe_pb2, text_format, name, bn, scale, shape, args.backward)
    ugs = {p["phase"]: (bnp.use_global_stats if bnp.HasField("use_global_stats") else p["phase"] == "TEST")
           for p in phases}
    inputs, grads, steps, top_blob = run_case(caffe, text, phases, ugs, blobs, gamma, beta, shape, rng, args.backward)
    mean, var = effective(blobs[0], blobs[1], blobs[2][0])
    m = int(np.prod(shape)) // channels
    lr0 = len(bn.param) >= 3 and all(p.HasField("lr_mult") and p.lr_mult == 0 for p in bn.param[:3])
    return {
        "name": name,
        "description": "BatchNorm block {!r} of {} recorded by tools/record_caffe_trace.py".format(name, args.prototxt),
        "prototxt": text,
        "top_blob": top_blob,
        "phases": phases,
        "params": {
            "moving_average_fraction": as_written(bnp.moving_average_fraction) if bnp.HasField("moving_average_fraction") else None,
            "eps": as_written(bnp.eps) if bnp.HasField("eps") else None,
            "use_global_stats": bnp.use_global_stats if bnp.HasField("use_global_stats") else None,
            "effective_moving_average_fraction": as_written(bnp.moving_average_fraction),
            "effective_eps": as_written(bnp.eps),
            "effective_use_global_stats_per_phase": ugs,
            "scale": scale is not None,
            "scale_bias_term": bool(bias_term) if scale is not None else None,
            "scale_lr_mult": (scale.param[0].lr_mult if scale is not None and len(scale.param) > 0 else None),
            "force_backward": bool(args.backward),
            "scale_top_loss_weight": None,
            "bn_declares_param_lr_mult0": bool(lr0),
            "in_place": False,
            "backward_run": bool(args.backward),
            "input_shape": list(shape),
            "m_per_channel": m,
        },
        "inputs": inputs,
        "upstream_grads": grads,
        "scale_init": None if gamma is None else {"scale": record(gamma), "bias": None if beta is None else record(beta)},
        "caffe": {
            "initial_bn_blobs": {"mean_sum": record(blobs[0]), "var_sum": record(blobs[1]),
                                 "scale_factor": float(blobs[2][0]), "effective_mean": record(mean),
                                 "effective_var": record(var)},
            "steps": steps,
        },
        "torch": {},
    }


def main(argv):
    args = parse_args(argv)
    phases = parse_phases(args.phases)
    import caffe  # imported late: --help works without pycaffe
    from caffe.proto import caffe_pb2
    from google.protobuf import text_format

    caffe.set_mode_cpu()
    net_param = caffe_pb2.NetParameter()
    with open(args.prototxt, encoding="utf-8") as f:
        text_format.Merge(f.read(), net_param)
    names = [n.strip() for n in args.layers.split(",")] if args.layers else None
    blocks = find_blocks(net_param, names)
    if not blocks:
        raise SystemExit(args.prototxt + ": no BatchNorm layer to record")
    net = caffe.Net(args.prototxt, caffe.TEST, **({"weights": args.weights} if args.weights else {}))
    cases = []
    for index, (bn, scale) in enumerate(blocks):
        shape = list(net.blobs[bn.bottom[0]].data.shape)
        if args.batch:
            shape[0] = args.batch
        cases.append(build_case(caffe, caffe_pb2, text_format, index, bn, scale, shape,
                                net if args.weights else None, args, phases))
        print("recorded {} {}".format(bn.name, shape), file=sys.stderr)
    trace = {
        "generator": "caffe2torch tools/record_caffe_trace.py",
        "generated_utc": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "caffe_version": getattr(caffe, "__version__", "unknown"),
        "numpy_version": np.__version__,
        "python": platform.python_version(),
        "seed": args.seed,
        "source": args.prototxt,
        "cases": cases,
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(trace, f)
    print("wrote {} ({} blocks); replay with: caffe2torch verify --trace {}".format(
        args.output, len(cases), args.output), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
