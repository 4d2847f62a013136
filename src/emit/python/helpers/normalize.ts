/**
 * `Normalize`: the SSD fork's Normalize layer, NormalizeLayer::Forward_cpu (weiliu89/caffe ssd,
 * src/caffe/layers/normalize_layer.cpp:85-133). An L2 norm with eps inside the square root, over
 * each item's C·H·W values (across_spatial: the item is multiplied by 1/norm) or over the channels
 * at each position (divided by the norm), then a learned scale: one value (channel_shared) or one
 * per channel. F.normalize adds eps outside the root and has no scale.
 */
export const NORMALIZE_SOURCE = `class Normalize(nn.Module):
    """SSD Caffe's Normalize layer: x / sqrt(sum(x^2) + eps) * scale (normalize_layer.cpp:85-133).

    across_spatial: one norm per item over all its values (x times 1/norm);
    otherwise one norm per position over the channels (x divided by it).
    The scale is one value (channel_shared, a 0-d blob) or one per channel.
    """

    def __init__(self, channels, across_spatial=True, channel_shared=True, eps=1e-10):
        super().__init__()
        self.across_spatial = across_spatial
        self.channel_shared = channel_shared
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(() if channel_shared else (channels,)))

    def forward(self, x):
        if self.across_spatial:
            norm = ((x * x).reshape(x.shape[0], -1).sum(1) + self.eps).sqrt()
            y = x * (1.0 / norm).reshape((-1,) + (1,) * (x.dim() - 1))
        else:
            y = x / ((x * x).sum(1, keepdim=True) + self.eps).sqrt()
        if self.channel_shared:
            return y * self.weight
        return y * self.weight.reshape((1, -1) + (1,) * (x.dim() - 2))

    def extra_repr(self):
        return "across_spatial={}, channel_shared={}, eps={}".format(
            self.across_spatial, self.channel_shared, self.eps)`;
