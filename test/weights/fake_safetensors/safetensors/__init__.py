"""A stand-in for the safetensors package, for tests only (Debian's PyTorch has none).

It offers the one API the emitted modules use when the real package is installed,
`safe_open(path, framework="pt")` as a context manager with keys(), get_tensor(name) and
metadata(), and records each call in CALLS so a test can see that this branch ran.
"""

import json
import struct

import torch

CALLS = []

_DTYPES = {"F32": torch.float32, "I64": torch.int64}


class safe_open:
    def __init__(self, filename, framework, device="cpu"):
        if framework != "pt":
            raise ValueError("framework must be 'pt' here")
        CALLS.append(("safe_open", filename, framework))
        with open(filename, "rb") as f:
            data = f.read()
        (size,) = struct.unpack("<Q", data[:8])
        self._header = json.loads(data[8:8 + size])
        self._data = data[8 + size:]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return [k for k in self._header if k != "__metadata__"]

    def metadata(self):
        return self._header.get("__metadata__")

    def get_tensor(self, name):
        info = self._header[name]
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        flat = torch.frombuffer(bytearray(self._data[begin:end]), dtype=dtype)
        return flat.reshape(info["shape"]).clone()
