/**
 * `caffe_batch_norm_steps`: the values between the layers of a Caffe BatchNorm → Scale (→ Bias)
 * block that one affine BatchNorm module computes at once, for `forward_layers`.
 */
export const BATCH_NORM_STEPS_SOURCE = `def caffe_batch_norm_steps(bn, x):
    """(BatchNorm's output, Scale's output before its bias) of a fused Caffe block.

    One affine nn.BatchNorm module does Caffe's BatchNorm and Scale (and Bias) at
    once; forward_layers reports each Caffe layer's own output with these.
    """
    batch = bn.training or not bn.track_running_stats
    mean = None if batch else bn.running_mean
    var = None if batch else bn.running_var
    normalised = F.batch_norm(x, mean, var, None, None, batch, 0.0, bn.eps)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return normalised, normalised * bn.weight.reshape(shape)`;
