/** `CaffeLayerStub`: the module `export --allow-stubs` puts where a layer could not be converted. */
export const STUB_SOURCE = `class CaffeLayerStub(nn.Module):
    """A Caffe layer caffe2torch could not convert: calling it raises NotImplementedError.

    Your code goes in a module of your own, put in the stub's place after build():
        net = build()
        net.<attribute> = MyLayer()   # LAYER_NAMES: attribute -> Caffe layer name
    Its forward takes the layer's bottoms in Caffe's order and returns its top (a tuple
    of tops when the layer has several). The stub keeps what Caffe knew of the layer:
    caffe_name, caffe_type, reason, prototxt (the layer as written) and, for a Python
    layer, python (its module, layer class and param_str).
    """

    def __init__(self, caffe_name, caffe_type, attribute, reason, prototxt="", python=None):
        super().__init__()
        self.caffe_name = caffe_name
        self.caffe_type = caffe_type
        self.attribute = attribute
        self.reason = reason
        self.prototxt = prototxt
        self.python = python

    def extra_repr(self):
        return "caffe_name={!r}, caffe_type={!r}".format(self.caffe_name, self.caffe_type)

    def forward(self, *bottoms):
        message = "Caffe layer {!r} of type {!r} was not converted: {}.".format(
            self.caffe_name, self.caffe_type, self.reason)
        if self.python is not None:
            message += " Caffe gives the class self.param_str = {!r}.".format(self.python["param_str"])
        message += (
            " Put your module in its place after build(): net.{} = MyLayer(), whose"
            " forward takes {} bottom(s) and returns the top(s); the layer's parameters"
            " are in net.{}.prototxt.").format(self.attribute, len(bottoms), self.attribute)
        raise NotImplementedError(message)`;
