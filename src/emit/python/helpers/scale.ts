/** `Scale` and `Bias`: Caffe's ScaleLayer and BiasLayer, parameters broadcast from `axis`. */
export const BROADCAST_SOURCE = `def _from_axis(p, x, axis):
    """p shaped to broadcast over x from axis on, as Caffe lays out Scale and Bias blobs."""
    return p.reshape(p.shape + (1,) * (x.dim() - axis - p.dim()))`;

export const SCALE_SOURCE = `class Scale(nn.Module):
    """Caffe's Scale layer: x * weight (+ bias), broadcast over the axes from \`axis\` on.

    With a second input, that input is the factor and only the bias is learned
    (shape None). nn has no module that multiplies by a tensor of an arbitrary
    trailing shape.
    """

    def __init__(self, shape, axis=1, bias=False, bias_shape=None):
        super().__init__()
        self.axis = axis
        self.weight = None if shape is None else nn.Parameter(torch.ones(shape))
        bias_shape = shape if bias_shape is None else bias_shape
        self.bias = nn.Parameter(torch.zeros(bias_shape)) if bias else None

    def forward(self, x, factor=None):
        factor = self.weight if factor is None else factor
        y = x * _from_axis(factor, x, self.axis)
        if self.bias is not None:
            y = y + _from_axis(self.bias, x, self.axis)
        return y`;

export const BIAS_SOURCE = `class Bias(nn.Module):
    """Caffe's Bias layer: x + bias, broadcast over the axes from \`axis\` on.

    With a second input, that input is the bias (shape None).
    """

    def __init__(self, shape, axis=1):
        super().__init__()
        self.axis = axis
        self.bias = None if shape is None else nn.Parameter(torch.zeros(shape))

    def forward(self, x, bias=None):
        bias = self.bias if bias is None else bias
        return x + _from_axis(bias, x, self.axis)`;
