/** `Parameter`: Caffe's ParameterLayer, a learned blob given as the layer's top. */
export const PARAMETER_SOURCE = `class Parameter(nn.Module):
    """Caffe's Parameter layer: its one learned blob is its top (zeros until loaded, as in Caffe)."""

    def __init__(self, shape):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(shape))

    def forward(self):
        return self.weight`;
