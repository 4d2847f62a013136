/** Caffe's element-wise and pairwise losses: SigmoidCrossEntropy, Hinge, MultinomialLogistic, Contrastive. */
export const SIGMOID_CROSS_ENTROPY_LOSS_SOURCE = `class SigmoidCrossEntropyLoss(nn.Module):
    """Caffe's SigmoidCrossEntropyLoss: sum of binary cross-entropy of sigmoid(x) and targets / normaliser.

    The default normalization is BATCH_SIZE (divide by x.shape[0]), not the mean over entries;
    entries whose target, truncated to int, is ignore_label add nothing. The targets get no
    gradient, as in Caffe.
    """

    def __init__(self, ignore_label=None, normalization="BATCH_SIZE"):
        super().__init__()
        self.ignore_label = ignore_label
        self.normalization = normalization

    def forward(self, x, target):
        target = target.detach().reshape(x.shape).to(x.dtype)
        terms = F.binary_cross_entropy_with_logits(x, target, reduction="none")
        labelled = _labelled(target.long(), self.ignore_label)
        total = torch.where(labelled, terms, torch.zeros_like(terms)).sum()
        return total / _caffe_normalizer(self.normalization, x.shape[0], x.shape[1:].numel(), labelled)`;

export const HINGE_LOSS_SOURCE = `class HingeLoss(nn.Module):
    """Caffe's HingeLoss: sum of max(0, 1 - x) at each sample's label and max(0, 1 + x) elsewhere, / N.

    norm "L2" squares each term first. A sample's scores are all its values (x.shape[1:]).
    """

    def __init__(self, norm="L1"):
        super().__init__()
        self.norm = norm

    def forward(self, x, label):
        n = x.shape[0]
        flat = x.reshape(n, -1)
        sign = torch.ones_like(flat).scatter(1, label.detach().reshape(n, 1).long(), -1.0)
        margin = F.relu(1 + sign * flat)
        return (margin.sum() if self.norm == "L1" else (margin * margin).sum()) / n`;

export const MULTINOMIAL_LOGISTIC_LOSS_SOURCE = `class MultinomialLogisticLoss(nn.Module):
    """Caffe's MultinomialLogisticLoss: -sum of log max(p[n, label_n], 1e-20) / N, on probabilities p."""

    def forward(self, p, label):
        n = p.shape[0]
        picked = p.reshape(n, -1).gather(1, label.detach().reshape(n, 1).long()).squeeze(1)
        # Caffe uses max(p, 1e-20) in both passes: the gradient is -1 / max(p, 1e-20).
        floored = picked + (picked.clamp(min=1e-20) - picked).detach()
        return -torch.log(floored).sum() / n`;

export const CONTRASTIVE_LOSS_SOURCE = `class ContrastiveLoss(nn.Module):
    """Caffe's ContrastiveLoss: sum over pairs of d^2 (similar) or max(margin - d, 0)^2 (dissimilar), / (2N).

    d = ||a_n - b_n||; the third input is nonzero (as an int) for similar pairs and gets no
    gradient. legacy_version uses max(margin - d^2, 0) for dissimilar pairs. Caffe's backward
    divides by d + 1e-4 where the derivative of d has d: reproduced here, the value unchanged.
    """

    def __init__(self, margin=1.0, legacy_version=False):
        super().__init__()
        self.margin = margin
        self.legacy_version = legacy_version

    def forward(self, a, b, similar):
        n = a.shape[0]
        diff = (a - b).reshape(n, -1)
        dist_sq = (diff * diff).sum(1)
        if self.legacy_version:
            dissimilar = torch.clamp(self.margin - dist_sq, min=0)
        else:
            dist = torch.sqrt(dist_sq.detach())
            mdist = torch.clamp(self.margin - dist, min=0)
            # No value; gradient diff / (d + 1e-4), the derivative Caffe uses for d.
            guard = dist_sq / (2 * (dist + 1e-4))
            dissimilar = mdist * mdist - 2 * mdist * (guard - guard.detach())
        pairs = torch.where(similar.detach().reshape(n).long() != 0, dist_sq, dissimilar)
        return pairs.sum() / n / 2`;
