"""A stand-in for caffe.Net that replays a golden case's recorded tops, for testing
tools/record_caffe_net.py without Caffe: it has the members record_net uses, inserts the Split
layers Caffe would (one per blob read by several layers, as Net::Init's InsertSplits names them),
and each _forward(i, i) sets layer i's tops to the recorded values.

    python3 fake_caffe_net.py CASE_DIR OUT_DIR   records CASE_DIR's net through record_net into OUT_DIR
"""
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools"))
import record_caffe_net  # noqa: E402


class FakeBlob:
    def __init__(self, shape):
        self.data = np.zeros(shape, dtype=np.float32)

    def reshape(self, *shape):
        self.data = np.zeros(shape, dtype=np.float32)


class FakeLayer:
    def __init__(self, type_, blobs):
        self.type = type_
        self.blobs = blobs


class FakeNet:
    def __init__(self, case_dir):
        with open(os.path.join(case_dir, "record.json")) as f:
            record = json.load(f)
        tensors, _ = read_safetensors(os.path.join(case_dir, "record.safetensors"))
        readers = {}
        for layer in record["layers"]:
            for b in layer["bottoms"]:
                readers[b] = readers.get(b, 0) + 1
        self.inputs = [i["blob"] for i in record["inputs"]]
        self.outputs = list(record["outputs"])
        self._layer_names, self.layers, self._steps = [], [], []
        self._blob_names, self.blobs = [], {}
        ids = {}
        current = {}  # prototxt blob name -> the blob name a reader uses now (a split copy)
        split_left = {}

        def blob_id(name, shape):
            if name not in ids:
                ids[name] = len(self._blob_names)
                self._blob_names.append(name)
                self.blobs[name] = FakeBlob(shape)
            return ids[name]

        self._bottoms, self._tops = [], []
        for layer in record["layers"]:
            bottoms = []
            for b in layer["bottoms"]:
                if b in split_left:
                    k = split_left[b].pop(0)
                    bottoms.append(blob_id(k, self.blobs[current[b]].data.shape))
                else:
                    bottoms.append(ids[current.get(b, b)])
            tops = [blob_id(t["blob"], t["shape"]) for t in layer["tops"]]
            values = [tensors[t["tensor"]] if t["tensor"] else None for t in layer["tops"]]
            self._add(layer["name"], layer["type"], bottoms, tops, values, [np.zeros(s, np.float32) for s in layer["param_shapes"]])
            for t in layer["tops"]:
                current[t["blob"]] = t["blob"]
                n = readers.get(t["blob"], 0)
                if n > 1 and layer["type"] != "Input" or (layer["type"] == "Input" and n > 1):
                    # Caffe's InsertSplits: <blob>_<producer>_<k>_split with tops ..._split_<j>.
                    name = "{}_{}_0_split".format(t["blob"], layer["name"])
                    split_tops = ["{}_{}".format(name, j) for j in range(n)]
                    self._add(name, "Split", [ids[t["blob"]]], [blob_id(s, t["shape"]) for s in split_tops], None, [])
                    split_left[t["blob"]] = split_tops

    def _add(self, name, type_, bottoms, tops, values, params):
        self._layer_names.append(name)
        self.layers.append(FakeLayer(type_, [FakeBlob(p.shape) for p in params]))
        self._bottoms.append(bottoms)
        self._tops.append(tops)
        self._steps.append(values)

    def _bottom_ids(self, i):
        return self._bottoms[i]

    def _top_ids(self, i):
        return self._tops[i]

    def _forward(self, start, end):
        for i in range(start, end + 1):
            values = self._steps[i]
            for k, t in enumerate(self._tops[i]):
                if values is None:  # a Split copies its bottom
                    self.blobs[self._blob_names[t]].data = self.blobs[self._blob_names[self._bottoms[i][0]]].data.copy()
                elif self.layers[i].type != "Input":
                    self.blobs[self._blob_names[t]].data = np.array(values[k], dtype=np.float32)


def read_safetensors(path):
    import struct
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype="<f4").reshape(info["shape"])
    return out, meta


def main(case_dir, out_dir):
    net = FakeNet(case_dir)
    with open(os.path.join(case_dir, "record.json")) as f:
        record = json.load(f)
    tensors, _ = read_safetensors(os.path.join(case_dir, "record.safetensors"))
    inputs = {i["blob"]: tensors[i["tensor"]] for i in record["inputs"]}
    written = {layer["name"] for layer in record["layers"]}
    layers, stored = record_caffe_net.record_net(net, inputs, written, full_limit=20000)
    os.makedirs(out_dir, exist_ok=True)
    shutil.copyfile(os.path.join(case_dir, "net.prototxt"), os.path.join(out_dir, "net.prototxt"))
    shutil.copyfile(os.path.join(case_dir, "weights.caffemodel"), os.path.join(out_dir, "weights.caffemodel"))
    record_caffe_net.write_safetensors(os.path.join(out_dir, "record.safetensors"), stored, {"case": "fake"})
    out = {"case": "fake", "phase": "TEST", "inputs": [{"blob": b, "shape": list(inputs[b].shape), "tensor": "input/" + b} for b in net.inputs],
           "layers": layers, "outputs": sorted(net.outputs)}
    with open(os.path.join(out_dir, "record.json"), "w") as f:
        json.dump(out, f)
    print(json.dumps({"layers": [l["name"] for l in layers], "splits": [n for n, l in zip(net._layer_names, net.layers) if l.type == "Split"],
                      "full": sum(1 for l in layers for t in l["tops"] if t["tensor"]),
                      "bottoms": {l["name"]: l["bottoms"] for l in layers}}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
