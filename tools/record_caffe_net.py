#!/usr/bin/env python3
"""Record your own net's Caffe forward, layer by layer, for `caffe2torch verify --net --record DIR`.

Needs pycaffe (BVLC Caffe or a compatible build) and numpy; not PyTorch. The script loads NET with
WEIGHTS in TEST phase, feeds seeded inputs (or your own, --input), runs Caffe one layer at a time
(Net::ForwardFromTo(i, i)) and copies each layer's tops right after it ran, so an in-place chain is
recorded at every step. It writes DIR in the format of caffe2torch's golden nets
(shared/golden/nets/README.md):

    DIR/net.prototxt        a copy of NET
    DIR/weights.caffemodel  a copy of WEIGHTS
    DIR/record.safetensors  the inputs (input/<blob>) and the tops stored in full (top/<layer>/<k>)
    DIR/record.json         per layer: bottoms, tops (shape, tensor or null, stats, samples),
                            param_shapes; the inputs; the outputs; provenance

`caffe2torch verify --net --record DIR [--torch]` then replays the inputs through caffe2torch's
Caffe executor (and the exported model.py) and compares every recorded top.

Usage:
    record_caffe_net.py NET.prototxt WEIGHTS.caffemodel -o DIR [--input FILE.npy|FILE.npz]
        [--seed S] [--full-limit BYTES]

    --input       the input values: a .npy array for a net with one input, or a .npz with one
                  array per input blob (by blob name). Default: normal(0, 1) float32 values drawn
                  with numpy.random.default_rng(seed), blob by blob in net.inputs order.
    --full-limit  tops are stored in full, in layer order, while the stored float32 data stays
                  within this many bytes (default 6000000); from the first top that does not fit
                  on, stats and 64 samples only. The inputs and the net's outputs are always
                  stored in full.

Split layers Caffe inserts by itself (a blob read by several layers) are left out, and bottoms use
the blob names the prototxt writes, as in the golden nets.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np

GENERATOR = "tools/record_caffe_net.py"
DEFAULT_FULL_LIMIT = 6000000
SAMPLES = 64


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="record_caffe_net.py",
        description="Record a net's Caffe TEST forward layer by layer in caffe2torch's golden-nets format.")
    parser.add_argument("prototxt", help="the net (TEST phase; Input layers or input: fields)")
    parser.add_argument("weights", help="the trained .caffemodel")
    parser.add_argument("-o", "--output", required=True, help="the folder to write (created if missing)")
    parser.add_argument("--input", help=".npy (one input) or .npz (one array per input blob) of input values")
    parser.add_argument("--seed", type=int, help="seed of the drawn inputs (default: crc32 of the net file name)")
    parser.add_argument("--full-limit", type=int, default=DEFAULT_FULL_LIMIT,
                        help="bytes of tops stored in full (default %(default)s)")
    return parser.parse_args(argv)


def as_written(value):
    """A float32 value as a JSON number: the shortest decimal that round-trips the widened double."""
    return float(np.float32(value))


def stats_of(array):
    """sum, abs_sum, sq_sum (float64, numpy's pairwise sums), min and max (the float32 values)."""
    a = np.asarray(array, dtype=np.float32).reshape(-1)
    wide = a.astype(np.float64)
    if a.size == 0:
        return {"sum": 0.0, "abs_sum": 0.0, "sq_sum": 0.0, "min": 0.0, "max": 0.0}
    return {
        "sum": float(wide.sum()),
        "abs_sum": float(np.abs(wide).sum()),
        "sq_sum": float((wide * wide).sum()),
        "min": as_written(a.min()),
        "max": as_written(a.max()),
    }


def samples_of(array):
    """Values at the flat indices round(i*(n-1)/63), i = 0..63, duplicates removed."""
    a = np.asarray(array, dtype=np.float32).reshape(-1)
    n = a.size
    if n == 0:
        return {"index": [], "value": []}
    index = []
    for i in range(SAMPLES):
        k = int(round(i * (n - 1) / (SAMPLES - 1)))
        if not index or index[-1] != k:
            index.append(k)
    return {"index": index, "value": [as_written(a[k]) for k in index]}


def write_safetensors(path, tensors, metadata):
    """tensors: [(name, float32 array)] in data order; the header padded to 8 bytes with spaces."""
    header = {"__metadata__": metadata}
    offset = 0
    arrays = []
    for name, array in tensors:
        a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for a in arrays:
            f.write(a.tobytes())


def is_inserted_split(layer_type, name, written_names):
    """A Split layer Caffe inserted (Net::Init's InsertSplits), not one the prototxt writes."""
    return layer_type == "Split" and name not in written_names


def record_net(net, inputs, written_names, full_limit=DEFAULT_FULL_LIMIT):
    """Runs `net` layer by layer on `inputs` ({blob: array}) and returns (layers, tensors).

    net: a caffe.Net (or any object with the same members: inputs, outputs, blobs, layers,
    _layer_names, _blob_names, _bottom_ids(i), _top_ids(i), _forward(start, end)).
    """
    for blob in net.inputs:
        value = np.asarray(inputs[blob], dtype=np.float32)
        net.blobs[blob].reshape(*value.shape)
        net.blobs[blob].data[...] = value
    tensors = [("input/" + blob, np.array(net.blobs[blob].data, dtype=np.float32)) for blob in net.inputs]
    stored = sum(a.nbytes for _, a in tensors)
    outputs = set(net.outputs)
    # Split copies read as the blob they copy: bottoms keep the prototxt's names.
    original = {}
    overflowed = False
    layers = []
    blob_names = list(net._blob_names)
    for i, name in enumerate(net._layer_names):
        layer = net.layers[i]
        bottoms = [blob_names[b] for b in net._bottom_ids(i)]
        tops = [blob_names[t] for t in net._top_ids(i)]
        net._forward(i, i)
        if is_inserted_split(layer.type, name, written_names):
            for t in tops:
                original[t] = original.get(bottoms[0], bottoms[0])
            continue
        entry = {
            "name": name,
            "type": layer.type,
            "bottoms": [original.get(b, b) for b in bottoms],
            "tops": [],
            "param_shapes": [list(b.data.shape) for b in layer.blobs],
        }
        for k, blob in enumerate(tops):
            value = np.array(net.blobs[blob].data, dtype=np.float32)
            top = {"blob": original.get(blob, blob), "shape": list(value.shape), "tensor": None}
            if layer.type == "Input" and blob in net.inputs:
                top["tensor"] = "input/" + blob
            else:
                # In layer order while the data fits; from the first top that does not, only the outputs.
                full = not overflowed and stored + value.nbytes <= full_limit
                overflowed = overflowed or not full
                if full or blob in outputs:
                    top["tensor"] = "top/{}/{}".format(name, k)
                    tensors.append((top["tensor"], value))
                    stored += value.nbytes
            top["stats"] = stats_of(value)
            top["samples"] = samples_of(value)
            entry["tops"].append(top)
        layers.append(entry)
    return layers, tensors


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_inputs(path, blobs):
    """The --input file's arrays by blob: .npy for a net with one input, .npz by blob name."""
    if path.endswith(".npy"):
        if len(blobs) != 1:
            raise SystemExit("record_caffe_net.py: a .npy file holds one array and the net has {} inputs ({}); "
                             "give a .npz with one array per blob".format(len(blobs), ", ".join(blobs)))
        return {blobs[0]: np.load(path)}
    archive = np.load(path)
    missing = [b for b in blobs if b not in archive.files]
    if missing:
        raise SystemExit("record_caffe_net.py: {} has no array for input blob(s) {}".format(path, ", ".join(missing)))
    return {b: archive[b] for b in blobs}


def main(argv):
    args = parse_args(argv)
    try:
        import caffe  # imported late: --help and the writer functions work without pycaffe
        from caffe.proto import caffe_pb2
        from google.protobuf import text_format
    except ImportError as e:
        sys.stderr.write("record_caffe_net.py: pycaffe is not importable ({}); run it where Caffe's python/ "
                         "folder is on PYTHONPATH\n".format(e))
        return 2
    caffe.set_mode_cpu()
    param = caffe_pb2.NetParameter()
    with open(args.prototxt) as f:
        text_format.Merge(f.read(), param)
    written = {layer.name for layer in param.layer} | {layer.name for layer in param.layers}
    net = caffe.Net(args.prototxt, args.weights, caffe.TEST)
    blobs = list(net.inputs)
    case = os.path.basename(os.path.normpath(args.output))
    seed = args.seed if args.seed is not None else zlib.crc32(case.encode("utf-8"))
    if args.input:
        inputs = read_inputs(args.input, blobs)
        values = "from {}".format(os.path.basename(args.input))
    else:
        rng = np.random.default_rng(seed)
        inputs = {b: rng.standard_normal(net.blobs[b].data.shape).astype(np.float32) for b in blobs}
        values = "normal(0, 1) from numpy.random.default_rng({}), rounded to float32".format(seed)
    layers, tensors = record_net(net, inputs, written, args.full_limit)
    os.makedirs(args.output, exist_ok=True)
    shutil.copyfile(args.prototxt, os.path.join(args.output, "net.prototxt"))
    shutil.copyfile(args.weights, os.path.join(args.output, "weights.caffemodel"))
    write_safetensors(os.path.join(args.output, "record.safetensors"), tensors,
                      {"case": case, "generator": GENERATOR})
    record = {
        "generated_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": GENERATOR,
        "caffe": {"version": getattr(caffe, "__version__", None)},
        "case": case,
        "phase": "TEST",
        "seed": seed,
        "source": {"kind": "user", "prototxt": os.path.abspath(args.prototxt)},
        "inputs": [{"blob": b, "shape": list(np.shape(inputs[b])), "tensor": "input/" + b, "values": values}
                   for b in blobs],
        "layers": layers,
        "outputs": sorted(net.outputs),
        "net_sha256": sha256_of(args.prototxt),
        "weights_sha256": sha256_of(args.weights),
        "weights_bytes": os.path.getsize(args.weights),
    }
    with open(os.path.join(args.output, "record.json"), "w") as f:
        json.dump(record, f, indent=1)
    full = sum(1 for layer in layers for top in layer["tops"] if top["tensor"] is not None)
    print("wrote {} ({} layers, {} tops in full)".format(args.output, len(layers), full))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
