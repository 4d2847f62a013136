/** `Accuracy`: Caffe's AccuracyLayer (not differentiable, as Caffe's has no backward). */
export const ACCURACY_SOURCE = `class Accuracy(nn.Module):
    """Caffe's Accuracy: the share of labelled positions whose label scores among the top_k.

    A score equal to the label's counts as better, as AccuracyLayer counts them (ties count
    against); positions whose label is ignore_label are skipped; no position gives 0. per_class
    also returns each class's accuracy (0 for a class without positions). No gradient.
    """

    def __init__(self, top_k=1, axis=1, ignore_label=None, per_class=False):
        super().__init__()
        self.top_k = top_k
        self.axis = axis
        self.ignore_label = ignore_label
        self.per_class = per_class

    def forward(self, x, label):
        with torch.no_grad():
            scores, labels = _class_view(x, label, self.axis)
            labelled = _labelled(labels, self.ignore_label)
            index = torch.where(labelled, labels, torch.zeros_like(labels))
            better = (scores >= scores.gather(1, index.unsqueeze(1))).sum(1) - 1
            correct = labelled & (better < self.top_k)
            accuracy = correct.sum().to(x.dtype) / labelled.sum().clamp(min=1).to(x.dtype)
            if not self.per_class:
                return accuracy
            classes = scores.shape[1]
            seen = torch.bincount(labels[labelled], minlength=classes)[:classes]
            hits = torch.bincount(labels[correct], minlength=classes)[:classes]
            return accuracy, hits.to(x.dtype) / seen.clamp(min=1).to(x.dtype)`;
