/**
 * `MVN`: Caffe's MVN layer as MVNLayer::Forward_cpu computes it: the mean over each item's
 * C·H·W values (`across_channels`) or each channel's H·W values is subtracted; with
 * `normalize_variance` the result is divided by `sqrt(E[(x − mean)²]) + eps` — eps is added to
 * the standard deviation, not to the variance. PyTorch has no module for it (GroupNorm and
 * InstanceNorm add eps to the variance).
 */
export const MVN_SOURCE = `class MVN(nn.Module):
    """Caffe's MVN layer: (x - mean) / (std + eps), or x - mean alone.

    mean and std are taken over each channel's values (over each item's values
    with across_channels), std = sqrt(mean((x - mean)^2)); eps is added to the
    standard deviation, as Caffe's MVNLayer does.
    """

    def __init__(self, normalize_variance=True, across_channels=False, eps=1e-09):
        super().__init__()
        self.normalize_variance = normalize_variance
        self.across_channels = across_channels
        self.eps = eps

    def forward(self, x):
        dims = tuple(range(1 if self.across_channels else 2, x.dim()))
        y = x - x.mean(dims, keepdim=True)
        if self.normalize_variance:
            y = y / ((y * y).mean(dims, keepdim=True).sqrt() + self.eps)
        return y

    def extra_repr(self):
        return "normalize_variance={}, across_channels={}, eps={}".format(
            self.normalize_variance, self.across_channels, self.eps)`;
