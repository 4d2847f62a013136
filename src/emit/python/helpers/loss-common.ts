/**
 * `_loss_common`: what Caffe's loss and accuracy layers share — the (outer, classes, inner) view
 * with integer labels, the ignore_label mask, LossLayer's normaliser, and a forward-only clamp.
 */
export const LOSS_COMMON_SOURCE = `# -log(FLT_MIN) and -log(1e-20): the largest term Caffe's log(max(p, FLT_MIN)) (SoftmaxWithLoss)
# and log(max(p, kLOG_THRESHOLD)) (InfogainLoss) can give.
_NLL_FLT_MIN = 87.33654475055311
_NLL_LOG_THRESHOLD = 46.051701859880914


def _class_view(x, label, axis):
    """x as (outer, classes, inner) and label as (outer, inner) integers, as Caffe's loss and
    accuracy layers index them (static_cast<int> truncates float labels towards zero)."""
    outer = x.shape[:axis].numel()
    inner = x.shape[axis + 1:].numel()
    return x.reshape(outer, x.shape[axis], inner), label.detach().reshape(outer, inner).long()


def _labelled(labels, ignore_label):
    """Where a label counts: everywhere, or where it is not ignore_label."""
    if ignore_label is None:
        return torch.ones_like(labels, dtype=torch.bool)
    return labels != ignore_label


def _caffe_normalizer(mode, outer, inner, labelled):
    """Caffe's get_normalizer: FULL outer*inner, VALID the labelled count, BATCH_SIZE outer,
    NONE 1; never below 1."""
    if mode == "VALID":
        return labelled.sum().to(torch.float32).clamp(min=1.0)
    count = {"FULL": outer * inner, "BATCH_SIZE": outer}.get(mode, 1)
    return float(max(1, count))


def _value_capped(v, cap):
    """min(v, cap) as a value, with the gradient of v: Caffe clamps inside the log of its
    forward only; its backward ignores the clamp."""
    return v - (v - cap).clamp(min=0).detach()`;
