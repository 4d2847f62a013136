/** `SoftmaxWithLoss` and `InfogainLoss`: Caffe's softmax-based losses over a class axis. */
export const SOFTMAX_WITH_LOSS_SOURCE = `class SoftmaxWithLoss(nn.Module):
    """Caffe's SoftmaxWithLoss: -sum of log softmax(x)[label] over labelled positions / normaliser.

    Positions whose label is ignore_label add nothing and get no gradient; normalization is
    Caffe's FULL, VALID, BATCH_SIZE or NONE (_caffe_normalizer). Caffe takes log(max(p, FLT_MIN)),
    so a term is at most 87.34, while its gradient stays softmax - one-hot. with_prob returns the
    softmax as a second output, detached: Caffe never back-propagates it.
    """

    def __init__(self, axis=1, ignore_label=None, normalization="VALID", with_prob=False):
        super().__init__()
        self.axis = axis
        self.ignore_label = ignore_label
        self.normalization = normalization
        self.with_prob = with_prob

    def forward(self, x, label):
        logp, labels = _class_view(F.log_softmax(x, dim=self.axis), label, self.axis)
        labelled = _labelled(labels, self.ignore_label)
        index = torch.where(labelled, labels, torch.zeros_like(labels)).unsqueeze(1)
        nll = _value_capped(-logp.gather(1, index).squeeze(1), _NLL_FLT_MIN)
        total = torch.where(labelled, nll, torch.zeros_like(nll)).sum()
        loss = total / _caffe_normalizer(self.normalization, logp.shape[0], logp.shape[2], labelled)
        if self.with_prob:
            return loss, torch.softmax(x, dim=self.axis).detach()
        return loss`;

export const INFOGAIN_LOSS_SOURCE = `class InfogainLoss(nn.Module):
    """Caffe's InfogainLoss: -sum over l of H[label, l] * log softmax(x)[l], over labelled positions / normaliser.

    H (classes x classes) is the third input, or the infogain buffer when Caffe reads it from a
    file (source): set it before use. Caffe clamps p at 1e-20 inside the log (value only) and
    never back-propagates into H or the labels. ignore_label, normalization and with_prob as in
    SoftmaxWithLoss.
    """

    def __init__(self, axis=1, ignore_label=None, normalization="VALID", with_prob=False, source=None):
        super().__init__()
        self.axis = axis
        self.ignore_label = ignore_label
        self.normalization = normalization
        self.with_prob = with_prob
        self.source = source
        self.register_buffer("infogain", None)

    def forward(self, x, label, infogain=None):
        h = self.infogain if infogain is None else infogain
        if h is None:
            raise RuntimeError("InfogainLoss needs the infogain matrix H from {!r}: set .infogain".format(self.source))
        classes = x.shape[self.axis]
        logp, labels = _class_view(F.log_softmax(x, dim=self.axis), label, self.axis)
        labelled = _labelled(labels, self.ignore_label)
        rows = h.detach().reshape(classes, classes).to(x.dtype)[torch.where(labelled, labels, torch.zeros_like(labels))]
        logp = -_value_capped(-logp, _NLL_LOG_THRESHOLD)
        terms = -(rows * logp.transpose(1, 2)).sum(2)
        total = torch.where(labelled, terms, torch.zeros_like(terms)).sum()
        loss = total / _caffe_normalizer(self.normalization, logp.shape[0], logp.shape[2], labelled)
        if self.with_prob:
            return loss, torch.softmax(x, dim=self.axis).detach()
        return loss`;
