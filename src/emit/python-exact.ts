/**
 * The Python source of the `--exact` BatchNorm subclasses, which reproduce the running statistics
 * of Caffe's BatchNormLayer instead of PyTorch's exponential moving average.
 *
 * Caffe (BatchNormLayer::Forward_cpu, training) keeps sums and a scale factor s in its third blob:
 *   s ← f·s + 1,  mean_sum ← f·mean_sum + batch_mean,  var_sum ← f·var_sum + m/(m−1)·batch_var
 * and normalises with mean_sum/s at inference. Dividing through, the estimate E = sum/s follows
 *   E ← (1 − 1/s)·E + (1/s)·batch_stat     (because f·s_old = s − 1)
 * which is exactly torch's update `running = (1 − momentum)·running + momentum·batch` with
 * momentum = 1/s. The first step has s = 1, so it overwrites PyTorch's initial 0/1 statistics,
 * just as Caffe's estimate never sees them. PyTorch's running_var also uses the unbiased batch
 * variance, as Caffe's m/(m−1) correction does.
 */

import type { TorchBlockConfig } from "../convert/types.js";

/** The Python class name of the exact subclass for a module type. */
export function exactClassName(module: NonNullable<TorchBlockConfig["module"]>): string {
  return `Caffe${module}`;
}

/** The shared mixin; must precede the subclasses in the file. */
const MIXIN = `class _CaffeRunningStats:
    """Running statistics updated as Caffe's BatchNormLayer does (see the module docstring).

    \`caffe_scale_factor\` is Caffe's third BatchNorm blob (shape (1,), float32, starts at 0);
    \`moving_average_fraction\` is Caffe's f. The \`momentum\` attribute is kept for reference
    only: training steps use momentum 1/s instead.
    """

    def _init_caffe(self, moving_average_fraction):
        self.moving_average_fraction = float(moving_average_fraction)
        # float32 and shape (1,) as Caffe's blobs_[2], so a caffemodel's value loads as is.
        self.register_buffer(
            "caffe_scale_factor", torch.zeros(1, dtype=torch.float32))

    def extra_repr(self):
        return "{}, moving_average_fraction={!r}".format(
            super().extra_repr(), self.moving_average_fraction)

    def forward(self, input):
        if not (self.training and self.track_running_stats):
            # Inference, frozen or batch-statistics use: nothing Caffe-specific happens.
            return super().forward(input)
        self._check_input_dim(input)
        with torch.no_grad():
            # s <- f*s + 1, in float32 as Caffe computes it on its blob.
            self.caffe_scale_factor.mul_(self.moving_average_fraction).add_(1.0)
            self.num_batches_tracked.add_(1)
        momentum = 1.0 / float(self.caffe_scale_factor.item())
        return F.batch_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias,
            True, momentum, self.eps)`;

function subclass(module: NonNullable<TorchBlockConfig["module"]>): string {
  return `class ${exactClassName(module)}(_CaffeRunningStats, nn.${module}):
    """nn.${module} whose running statistics follow Caffe's BatchNormLayer exactly."""

    def __init__(self, num_features, eps=1e-05, momentum=None, affine=True,
                 track_running_stats=True, moving_average_fraction=0.999):
        super().__init__(num_features, eps=eps, momentum=momentum, affine=affine,
                         track_running_stats=track_running_stats)
        self._init_caffe(moving_average_fraction)`;
}

const ORDER = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"] as const;

/**
 * Python source defining the mixin and one subclass per module type in `used` (in a fixed order,
 * so the output does not depend on block order). Empty when `used` is empty.
 */
export function exactClassesSource(used: ReadonlySet<string>): string {
  const classes = ORDER.filter((m) => used.has(m)).map(subclass);
  if (classes.length === 0) return "";
  return [MIXIN, ...classes].join("\n\n\n");
}
