/**
 * The Python source that loads `convert --weights` output: `WEIGHTS_FILE`, `read_safetensors`
 * (the `safetensors` package when installed, else our numpy reader of the format, since Debian's
 * PyTorch has no safetensors package), `load_weights` and the path rule `build()` uses.
 *
 * The numpy reader follows the format's public specification: an unsigned little-endian 64-bit
 * header size N, N bytes of JSON (`dtype`, `shape`, `data_offsets` per tensor, optional
 * `__metadata__`), then the little-endian data. It checks that each tensor's offsets fit its
 * shape and dtype and lie inside the file. All text here is ours and ASCII.
 */

/** The constant naming the default weights file (same basename as the module). */
export const WEIGHTS_FILE_SOURCE = `# The weights build() loads by default: this file's name with ".safetensors", as
# caffe2torch convert --weights writes it (None when the module has no file).
WEIGHTS_FILE = (
    os.path.splitext(os.path.abspath(__file__))[0] + ".safetensors"
    if "__file__" in globals() else None)`;

/** `_read_safetensors_numpy` and `read_safetensors`. */
export const READ_SAFETENSORS_SOURCE = `# safetensors dtype -> numpy dtype (little-endian), for the numpy reader.
_SAFETENSORS_DTYPES = {
    "BOOL": "|b1", "U8": "|u1", "I8": "|i1", "I16": "<i2", "I32": "<i4", "I64": "<i8",
    "F16": "<f2", "F32": "<f4", "F64": "<f8",
}


def _read_safetensors_numpy(path):
    """read_safetensors without the safetensors package: the format read with numpy."""
    import json
    import struct

    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("{}: not a safetensors file (shorter than 8 bytes)".format(path))
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise ValueError("{}: header size {} exceeds the file".format(path, size))
    header = json.loads(data[8:8 + size].decode("utf-8"))
    start = 8 + size
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ValueError("{}: tensor {!r} has dtype {}, which this reader does not know".format(
                path, name, info["dtype"]))
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]])
        shape = tuple(int(d) for d in info["shape"])
        count = 1
        for d in shape:
            count *= d
        begin, end = (int(o) for o in info["data_offsets"])
        if not 0 <= begin <= end <= len(data) - start or end - begin != count * dtype.itemsize:
            raise ValueError("{}: tensor {!r} has invalid data_offsets".format(path, name))
        values = np.frombuffer(data, dtype=dtype, count=count, offset=start + begin)
        # astype copies into native byte order: writable memory torch can own.
        tensors[name] = torch.from_numpy(values.astype(dtype.newbyteorder("="))).reshape(shape)
    return tensors, metadata


def read_safetensors(path):
    """Return (tensors, metadata) of a .safetensors file: {name: torch.Tensor}, {str: str}.

    Uses the safetensors package when it is installed, else a numpy reader of the format.
    """
    try:
        from safetensors import safe_open
    except ImportError:
        return _read_safetensors_numpy(path)
    with safe_open(path, framework="pt") as f:
        return {name: f.get_tensor(name) for name in f.keys()}, dict(f.metadata() or {})`;

/** `load_weights` for build()'s ModuleDict (convert --format python). */
const LOAD_MODULES_SOURCE = `def load_weights(modules, path):
    """Load a .safetensors file written by caffe2torch convert --weights into modules.

    Keys are "<ModuleDict key>.<state name>" (weight, bias, running_mean, running_var,
    num_batches_tracked, and caffe_scale_factor for --exact modules). Every module loads
    with load_state_dict(strict=True); a module the file has no key for is an error unless
    the converter listed it in the metadata "modules_without_weights" (it warned about
    it), and a key no module takes is an error. Returns modules.
    """
    path = os.fspath(path)
    tensors, metadata = read_safetensors(path)
    import json
    without = set(json.loads(metadata.get("modules_without_weights", "[]")))
    used = set()
    for key, module in modules.items():
        prefix = key + "."
        own = {name[len(prefix):]: value for name, value in tensors.items()
               if name.startswith(prefix)}
        if not own and key in without:
            continue
        used.update(prefix + name for name in own)
        try:
            module.load_state_dict(own, strict=True)
        except RuntimeError as error:
            raise RuntimeError("{}: cannot load module {!r} (Caffe layer {!r}): {}".format(
                path, key, LAYER_NAMES.get(key, key), error)) from None
    unused = sorted(set(tensors) - used)
    if unused:
        raise RuntimeError("{}: keys that no module of this net takes: {}".format(
            path, ", ".join(unused)))
    return modules`;

/** `_weights_path`: the file build(weights) loads. */
export const WEIGHTS_PATH_SOURCE = `def _weights_path(weights):
    """The file build(weights) loads, or None (see build)."""
    if weights is False:
        return None
    if weights is None:
        if WEIGHTS_FILE is not None and os.path.isfile(WEIGHTS_FILE):
            return WEIGHTS_FILE
        return None
    path = os.fspath(weights)
    if not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return path`;

/** read_safetensors, load_weights and _weights_path. */
export const WEIGHTS_FUNCTIONS_SOURCE = [READ_SAFETENSORS_SOURCE, LOAD_MODULES_SOURCE, WEIGHTS_PATH_SOURCE].join("\n\n\n");

/** The lines build() runs after creating the modules. */
export const BUILD_LOAD_LINES = [
  "    path = _weights_path(weights)",
  "    if path is not None:",
  "        load_weights(modules, path)",
];

/** The weights paragraph of build()'s docstring. */
export const BUILD_WEIGHTS_DOC = [
  "    weights: a .safetensors file from caffe2torch convert --weights. None (the default)",
  "    loads WEIGHTS_FILE (this file's name with .safetensors) when it exists and builds",
  "    without weights otherwise; a path loads that file and raises FileNotFoundError when",
  "    it does not exist; False never loads.",
];
