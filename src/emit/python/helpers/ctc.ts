/**
 * `CTCGreedyDecoder`: caffe_ocr's CTCGreedyDecoder layer (senlinuc/caffe_ocr
 * src/caffe/layers/ctc_decoder_layer.cpp:57-67, 101-240, 254-276, 335-376): the best class of each
 * time step (the first on ties), repeats merged (ctc_merge_repeated), blanks dropped. With one
 * input: the sequences [N, T, 1, 1], padded with -1. With the labels as second input: [1, 2, 1, 1]
 * = (1 − mean normalised edit distance, fraction of exact sequences).
 */
export const CTC_GREEDY_DECODER_SOURCE = `class CTCGreedyDecoder(nn.Module):
    """caffe_ocr's CTCGreedyDecoder layer (ctc_decoder_layer.cpp:101-240).

    x: [T, N, C] scores. Without labels: [N, T, 1, 1] decoded classes, -1 after
    the end. With labels [N, L] (ended by a negative value): [1, 2, 1, 1],
    1 - mean(edit distance / longer length) and the fraction decoded exactly.
    """

    def __init__(self, blank_index=0, merge_repeated=True):
        super().__init__()
        self.blank_index = blank_index
        self.merge_repeated = merge_repeated

    def decode(self, x):
        steps, batch = x.shape[0], x.shape[1]
        blank = self.blank_index if self.blank_index >= 0 else x.shape[2] - 1
        best = x.reshape(steps, batch, -1).argmax(2).t().tolist()
        sequences = []
        for row in best:
            seq, previous = [], -1
            for k in row:
                if k != blank and not (self.merge_repeated and k == previous):
                    seq.append(k)
                previous = k
            sequences.append(seq)
        return sequences, blank

    def forward(self, x, labels=None):
        sequences, blank = self.decode(x)
        steps, batch = x.shape[0], x.shape[1]
        if labels is None:
            out = torch.full((batch, steps), -1.0, dtype=x.dtype, device=x.device)
            for n, seq in enumerate(sequences):
                if seq:
                    out[n, :len(seq)] = torch.tensor(seq, dtype=x.dtype, device=x.device)
            return out.reshape(batch, steps, 1, 1)
        targets = labels.reshape(labels.shape[0], -1).tolist()
        distance, exact = 0.0, 0
        for n, seq in enumerate(sequences):
            target = []
            for value in targets[n]:
                if value < 0:
                    break
                k = int(0.5 + value)
                if k != blank:
                    target.append(k)
            longer = max(len(target), len(seq))
            if longer == 0:
                continue
            d = _edit_distance(target, seq)
            distance += d / longer
            exact += d == 0
        return torch.tensor([1 - distance / batch, exact / batch], dtype=x.dtype, device=x.device).reshape(1, 2, 1, 1)`;

/** `_edit_distance`: CTCDecoderLayer::EditDistance (ctc_decoder_layer.cpp:254-276), Levenshtein. */
export const EDIT_DISTANCE_SOURCE = `def _edit_distance(a, b):
    """Levenshtein distance of two sequences (ctc_decoder_layer.cpp:254-276)."""
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        previous, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] != b[j - 1]))
    return row[len(b)]`;

/**
 * `WarpCTCLoss`: caffe_ocr's WarpCTCLoss layer with its two inputs (senlinuc/caffe_ocr
 * src/caffe/layers/warp_ctc_loss_layer.cpp:74-192): activations [T, N, C] (warp-ctc takes the
 * softmax itself), labels [N, L] converted to int with blank labels dropped, every sequence T long;
 * the loss is the mean of the finite per-sequence costs. F.ctc_loss computes the same costs, except
 * for a label sequence that cannot fit (L + repeats > T): warp-ctc's CPU kernel gives it cost 0,
 * which counts in the mean (include/detail/cpu_ctc.h:199-201), where F.ctc_loss gives ∞.
 */
export const WARP_CTC_LOSS_SOURCE = `class WarpCTCLoss(nn.Module):
    """caffe_ocr's WarpCTCLoss layer, two-input form (warp_ctc_loss_layer.cpp:74-192).

    x: [T, N, C] activations; labels: [N, L], entries equal to blank_index are
    skipped. Returns the mean CTC cost over the sequences whose cost is finite; a
    sequence that cannot fit (L + repeats > T) costs 0, as warp-ctc's CPU kernel says.
    """

    def __init__(self, blank_index=0):
        super().__init__()
        self.blank_index = blank_index

    def forward(self, x, labels):
        steps, batch = x.shape[0], x.shape[1]
        log_probs = F.log_softmax(x.reshape(steps, batch, -1), 2)
        rows = [[int(v) for v in row if int(v) != self.blank_index]
                for row in labels.reshape(batch, -1).tolist()]
        targets = torch.tensor([v for row in rows for v in row], dtype=torch.long, device=x.device)
        costs = F.ctc_loss(log_probs, targets, [steps] * batch, [len(row) for row in rows],
                           blank=self.blank_index, reduction="none", zero_infinity=False)
        unfit = torch.tensor([len(row) + sum(a == b for a, b in zip(row, row[1:])) > steps for row in rows], device=x.device)
        costs = torch.where(unfit, torch.zeros_like(costs), costs)
        finite = costs[torch.isfinite(costs)]
        return finite.sum() / finite.numel()`;
