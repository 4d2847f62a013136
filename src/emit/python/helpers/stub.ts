/**
 * `CaffeLayerStub`: the module `export --allow-stubs` puts where a layer could not be converted,
 * and `replace_stubs`, which puts the user's own modules (stand-ins) in the stubs' places by
 * layer name, by Python class (`module.Layer` of python_param) or by Caffe type.
 */
export const STUB_SOURCE = `class CaffeLayerStub(nn.Module):
    """A Caffe layer caffe2torch could not convert: calling it raises NotImplementedError.

    Your code goes in a module of your own (a stand-in) that takes the stub's place:
        net = build(stand_ins={"my_module.MyLayer": MyLayer})   # or replace_stubs(net, ...)
    A stand-in's forward takes the layer's bottoms in Caffe's order and returns its top
    (a tuple of tops when the layer has several). Keys and factories: see replace_stubs.
    One layer can also be replaced by hand: net.<attribute> = MyLayer(net.<attribute>).
    The stub keeps what Caffe knew of the layer: caffe_name, caffe_type, reason, prototxt
    (the layer as written), bottoms and tops (blob names), top_shapes (the shapes Caffe's
    shape inference gives the tops, None where unknown) and, for a Python layer, python
    (its module, layer class and param_str) and param_str, the string Caffe hands the
    class as self.param_str.
    """

    def __init__(self, caffe_name, caffe_type, attribute, reason, prototxt="", python=None, bottoms=(), tops=(), top_shapes=()):
        super().__init__()
        self.caffe_name = caffe_name
        self.caffe_type = caffe_type
        self.attribute = attribute
        self.reason = reason
        self.prototxt = prototxt
        self.python = python
        self.param_str = python["param_str"] if python is not None else ""
        self.bottoms = tuple(bottoms)
        self.tops = tuple(tops)
        self.top_shapes = tuple(top_shapes)

    def stand_in_keys(self):
        """The keys of replace_stubs that select this stub, most specific first."""
        keys = [self.caffe_name]
        if self.python is not None:
            keys.append("{}.{}".format(self.python["module"], self.python["layer"]))
        keys.append(self.caffe_type)
        return keys

    def extra_repr(self):
        return "caffe_name={!r}, caffe_type={!r}".format(self.caffe_name, self.caffe_type)

    def forward(self, *bottoms):
        message = "Caffe layer {!r} of type {!r} was not converted: {}.".format(
            self.caffe_name, self.caffe_type, self.reason)
        if self.python is not None:
            message += " Caffe gives the class self.param_str = {!r}.".format(self.python["param_str"])
        message += (
            " Put your module in its place: build(stand_ins={{{!r}: MyLayer}}) or net.{} = MyLayer(net.{}),"
            " whose forward takes {} bottom(s) and returns the top(s); the layer's parameters"
            " are in net.{}.prototxt.").format(self.stand_in_keys()[1], self.attribute, self.attribute, len(bottoms), self.attribute)
        raise NotImplementedError(message)


def replace_stubs(net, stand_ins):
    """Put modules of your own in place of net's CaffeLayerStubs; returns {attribute: key used}.

    stand_ins maps a key to a factory. A key is a Caffe layer name (that layer), a Python
    layer's "module.Layer" as its python_param names them (every layer of that class), or
    a Caffe layer type (every stub of that type); the most specific key wins. The factory
    is called with the stub (caffe_name, param_str, python, prototxt, bottoms, tops, ...)
    and returns the nn.Module to use: a class whose __init__ takes the stub, or any
    callable, e.g. lambda stub: nn.Identity(). A key that selects no stub is an error, so
    that a misspelt name cannot leave a stub in place.
    """
    stubs = [(a, m) for a, m in net.named_children() if isinstance(m, CaffeLayerStub)]
    chosen = {a: next((k for k in m.stand_in_keys() if k in stand_ins), None) for a, m in stubs}
    unused = sorted(set(stand_ins) - set(chosen.values()))
    if unused:
        known = sorted({k for _, m in stubs for k in m.stand_in_keys()})
        raise KeyError("stand_ins keys {} select no stub; the stubs answer to {}".format(unused, known))
    replaced = {}
    for attribute, module in stubs:
        if chosen[attribute] is not None:
            setattr(net, attribute, stand_ins[chosen[attribute]](module))
            replaced[attribute] = chosen[attribute]
    return replaced`;
