/**
 * `LRNWithinChannel`: Caffe's LRN with `norm_region: WITHIN_CHANNEL`, which LRNLayer::LayerSetUp
 * builds from an AVE Pooling (kernel n, pad (n − 1)/2, stride 1) of x², then a Power layer
 * (scale α, shift 1, power −β) and a product with x. With stride 1 and that pad, Caffe's AVE
 * pooling divides every window by n² (its divisor counts the padding), as `avg_pool2d` does with
 * `count_include_pad=True`. `nn.LocalResponseNorm` only normalises across channels.
 */
export const LRN_WITHIN_CHANNEL_SOURCE = `class LRNWithinChannel(nn.Module):
    """Caffe's LRN, norm_region WITHIN_CHANNEL: x * (1 + alpha * avg(x^2))^-beta.

    avg runs over a size x size window of each channel with zero padding
    (size - 1) / 2 and always divides by size^2, as Caffe's AVE pooling counts the
    padding. Caffe does not use k here.
    """

    def __init__(self, size, alpha=1.0, beta=0.75):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta

    def forward(self, x):
        avg = F.avg_pool2d(x * x, self.size, stride=1, padding=(self.size - 1) // 2)
        return x * (avg * self.alpha + 1).pow(-self.beta)

    def extra_repr(self):
        return "{}, alpha={}, beta={}".format(self.size, self.alpha, self.beta)`;
