/**
 * The smooth L1 losses of the detection forks: py-faster-rcnn's `SmoothL1Loss` (sigma, inside and
 * outside weights, / num) and R-FCN's `SmoothL1LossOHEM` (sigma 1, one weight blob, loss_param's
 * normaliser, an optional per-instance top).
 */

/**
 * rbgirshick/caffe-fast-rcnn (branch faster-rcnn) src/caffe/layers/smooth_L1_loss_layer.cu:13-26
 * (the element loss) and :29-61 (Forward_gpu: weights, sum, / bottom[0]->num()); the CPU
 * Forward is NOT_IMPLEMENTED there, so the GPU code is the definition.
 */
export const SMOOTH_L1_LOSS_SOURCE = `class SmoothL1Loss(nn.Module):
    """py-faster-rcnn Caffe's SmoothL1Loss: sum|w_out * f(w_in * (x - t))| / x.shape[0].

    f(d) = 0.5 * sigma^2 * d^2 where |d| < 1 / sigma^2, else |d| - 0.5 / sigma^2. The weights
    (bottoms 3 and 4) come together or not at all; every blob is read with x's element order.
    """

    def __init__(self, sigma=1.0):
        super().__init__()
        self.sigma2 = sigma * sigma

    def forward(self, x, target, inside=None, outside=None):
        d = x - target.reshape(x.shape)
        if inside is not None:
            d = d * inside.reshape(x.shape)
        a = d.abs()
        errors = torch.where(a < 1.0 / self.sigma2, 0.5 * self.sigma2 * d * d, a - 0.5 / self.sigma2)
        if outside is not None:
            errors = errors * outside.reshape(x.shape)
        # caffe_gpu_asum: the absolute values are summed (a negative outside weight counts positive).
        return errors.abs().sum() / x.shape[0]`;

/**
 * R-FCN's Caffe (py-R-FCN) src/caffe/layers/smooth_L1_loss_ohem_layer.cu:17-29 (the element loss,
 * sigma 1) and :47-82 (Forward_gpu), smooth_L1_loss_ohem_layer.cpp:60-87 (get_normalizer: FULL and
 * VALID N*H*W, BATCH_SIZE N, PRE_FIXED the given number, NONE 1, at least 1), as stored in
 * BVLC/caffe@ded014b and @8a5c860 (the R-FCN branch).
 */
export const SMOOTH_L1_LOSS_OHEM_SOURCE = `class SmoothL1LossOHEM(nn.Module):
    """R-FCN Caffe's SmoothL1LossOHEM: sum(f(w * (x - t))) / normaliser, f the smooth L1 of sigma 1.

    The normaliser is N*H*W for FULL and VALID (Caffe's 4-D height and width; no label is
    ignored), N for BATCH_SIZE, pre_fixed_normalizer for PRE_FIXED, 1 for NONE, and at least 1.
    per_instance: also return the loss of each instance summed over channels, (N, 1, H, W).
    """

    def __init__(self, normalization="VALID", pre_fixed_normalizer=1.0, per_instance=False):
        super().__init__()
        self.normalization = normalization
        self.pre_fixed_normalizer = pre_fixed_normalizer
        self.per_instance = per_instance

    def forward(self, x, target, weights=None):
        d = x - target.reshape(x.shape)
        if weights is not None:
            d = d * weights.reshape(x.shape)
        a = d.abs()
        errors = torch.where(a < 1.0, 0.5 * d * d, a - 0.5)
        n = x.shape[0]
        h = x.shape[2] if x.dim() > 2 else 1
        w = x.shape[3] if x.dim() > 3 else 1
        normalizer = {"FULL": n * h * w, "VALID": n * h * w, "BATCH_SIZE": n,
                      "PRE_FIXED": self.pre_fixed_normalizer, "NONE": 1}[self.normalization]
        loss = errors.sum() / max(1.0, normalizer)
        if not self.per_instance:
            return loss
        return loss, errors.reshape(n, x.shape[1] if x.dim() > 1 else 1, h, w).sum(1, keepdim=True)`;
