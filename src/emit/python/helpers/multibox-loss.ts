/**
 * SSD's `MultiBoxLoss` (weiliu89/caffe, branch ssd): multibox_loss_layer.cpp:146-253 (Forward_cpu)
 * with bbox_util.cpp's GetGroundTruth :1055-1084, JaccardOverlap :274-295 (BBoxSize :82-101),
 * MatchBBox :584-720, FindMatches :722-818 (priors matched, share_location), MineHardExamples
 * :850-1031 (MAX_NEGATIVE without NMS), EncodeBBox :355-439, EncodeLocPrediction :1170-1255,
 * EncodeConfPrediction :1540-1639; the loc loss is the fork's SmoothL1Loss (sigma 1, / num of a
 * [1, 4·matches] blob) or EuclideanLoss, the conf loss SoftmaxWithLoss with normalization NONE,
 * and LossLayer::GetNormalizer (loss_layer.cpp:27-55) divides both.
 */
export const MULTIBOX_LOSS_SOURCE = `class MultiBoxLoss(nn.Module):
    """SSD Caffe's MultiBoxLoss: match priors to ground truth, mine hard negatives, then
    (loc_weight * loc loss + conf loss) / normaliser.

    Inputs: loc (N, P*4), conf (N, P*C), priors (1, 2, P*4) (boxes, then variances) and the
    ground truth (1, 1, G, 8), rows (image, class, instance, xmin, ymin, xmax, ymax,
    difficult); rows of image -1 are padding. Each image's priors are matched to its boxes
    (bipartite, then PER_PREDICTION above overlap_threshold); with MAX_NEGATIVE mining the
    unmatched priors whose best overlap is below neg_overlap are ranked by their background
    softmax loss and the neg_pos_ratio * matches worst are kept. The loc loss (smooth L1 or
    L2/2 of the encoded box differences) is summed over matched priors, the conf loss
    (-log max(p, FLT_MIN)) over matched and mined ones; VALID divides by the matches.
    Matching and mining carry no gradient, as in Caffe. Equal mining losses go to the lower
    prior index (Caffe's std::sort leaves their order unspecified).
    """

    FLT_MIN = 1.1754943508222875e-38

    def __init__(self, num_classes, background_label_id=0, loc_loss_type="SMOOTH_L1", loc_weight=1.0,
                 match_type="PER_PREDICTION", overlap_threshold=0.5, use_difficult_gt=True,
                 neg_pos_ratio=3.0, neg_overlap=0.5, code_type="CORNER", encode_variance_in_target=False,
                 ignore_cross_boundary_bbox=False, mining_type="MAX_NEGATIVE", normalization="VALID",
                 loc_term=True, conf_term=True):
        super().__init__()
        self.num_classes = num_classes
        self.background_label_id = background_label_id
        self.loc_loss_type = loc_loss_type
        self.loc_weight = loc_weight
        self.match_type = match_type
        self.overlap_threshold = overlap_threshold
        self.use_difficult_gt = use_difficult_gt
        self.neg_pos_ratio = neg_pos_ratio
        self.neg_overlap = neg_overlap
        self.code_type = code_type
        self.encode_variance_in_target = encode_variance_in_target
        self.ignore_cross_boundary_bbox = ignore_cross_boundary_bbox
        self.mining_type = mining_type
        self.normalization = normalization
        # propagate_down of the loc and conf bottoms: Caffe adds only those terms to the top.
        self.loc_term = loc_term
        self.conf_term = conf_term

    @staticmethod
    def _sizes(b):
        w = b[:, 2] - b[:, 0]
        h = b[:, 3] - b[:, 1]
        return torch.where((w < 0) | (h < 0), torch.zeros_like(w), w * h)

    def _overlaps(self, priors, gts):
        iw = torch.min(priors[:, None, 2], gts[None, :, 2]) - torch.max(priors[:, None, 0], gts[None, :, 0])
        ih = torch.min(priors[:, None, 3], gts[None, :, 3]) - torch.max(priors[:, None, 1], gts[None, :, 1])
        inter = iw * ih
        union = self._sizes(priors)[:, None] + self._sizes(gts)[None, :] - inter
        return torch.where((iw > 0) & (ih > 0), inter / union, torch.zeros_like(inter))

    def _match(self, priors, gts):
        """Per prior: the matched box (-1 none, -2 ignored across the image border) and its best overlap."""
        count, boxes = priors.shape[0], gts.shape[0]
        match = torch.full((count,), -1, dtype=torch.long)
        overlaps = self._overlaps(priors, gts)
        stored = overlaps > 1e-6
        if self.ignore_cross_boundary_bbox:
            cross = ((priors < 0) | (priors > 1)).any(1)
            match[cross] = -2
            stored &= ~cross[:, None]
        kept = torch.where(stored, overlaps, torch.full_like(overlaps, -1.0))
        best = kept.clamp(min=0).max(1).values
        used = torch.zeros(boxes, dtype=torch.bool)
        for _ in range(boxes):
            # Bipartite: the largest overlap among free priors and boxes; the first on ties.
            free = kept.masked_fill((match != -1)[:, None] | used[None, :], -1.0)
            flat = int(free.argmax())
            if free.reshape(-1)[flat] <= -1:
                break
            i, j = divmod(flat, boxes)
            match[i] = j
            best[i] = free[i, j]
            used[j] = True
        if self.match_type == "PER_PREDICTION":
            above = kept.masked_fill(kept < self.overlap_threshold, -1.0)
            value, index = above.max(1)
            rows = (match == -1) & (value > -1)
            match[rows] = index[rows]
            best[rows] = value[rows]
        return match, best

    def _encode(self, priors, variances, gts):
        if self.code_type == "CENTER_SIZE":
            pw, ph = priors[:, 2] - priors[:, 0], priors[:, 3] - priors[:, 1]
            pcx, pcy = (priors[:, 0] + priors[:, 2]) / 2, (priors[:, 1] + priors[:, 3]) / 2
            bw, bh = gts[:, 2] - gts[:, 0], gts[:, 3] - gts[:, 1]
            bcx, bcy = (gts[:, 0] + gts[:, 2]) / 2, (gts[:, 1] + gts[:, 3]) / 2
            code = torch.stack([(bcx - pcx) / pw, (bcy - pcy) / ph, torch.log(bw / pw), torch.log(bh / ph)], 1)
        elif self.code_type == "CORNER_SIZE":
            pw, ph = priors[:, 2] - priors[:, 0], priors[:, 3] - priors[:, 1]
            size = torch.stack([pw, ph, pw, ph], 1)
            code = (gts - priors) / size
        else:
            code = gts - priors
        return code if self.encode_variance_in_target else code / variances

    def _ground_truth(self, label, num):
        rows = label.detach().reshape(-1, 8).tolist()
        boxes = [[] for _ in range(num)]
        classes = [[] for _ in range(num)]
        for row in rows:
            item, cls = int(row[0]), int(row[1])
            if item == -1:
                continue
            if cls == self.background_label_id:
                raise ValueError("MultiBoxLoss: found background label {} in the ground truth (Caffe's CHECK)".format(cls))
            if not self.use_difficult_gt and row[7] != 0:
                continue
            if 0 <= item < num:
                boxes[item].append(row[3:7])
                classes[item].append(cls)
        return boxes, classes

    def forward(self, loc, conf, prior, label):
        num = loc.shape[0]
        count = prior.shape[2] // 4
        loc = loc.reshape(num, count, 4)
        conf = conf.reshape(num, count, self.num_classes)
        priors = prior[0, 0].detach().reshape(count, 4)
        variances = prior[0, 1].detach().reshape(count, 4)
        boxes, classes = self._ground_truth(label, num)
        loc_pred, loc_gt, conf_rows, conf_labels = [], [], [], []
        matches = 0
        for i in range(num):
            gts = torch.tensor(boxes[i], dtype=loc.dtype).reshape(-1, 4)
            target = torch.full((count,), self.background_label_id, dtype=torch.long)
            if gts.shape[0] == 0:
                if self.mining_type == "NONE":
                    conf_rows.append(conf[i])
                    conf_labels.append(target)
                continue
            match, best = self._match(priors, gts)
            positive = match > -1
            matches += int(positive.sum())
            target[positive] = torch.tensor(classes[i], dtype=torch.long)[match[positive]]
            loc_pred.append(loc[i][positive])
            loc_gt.append(self._encode(priors[positive], variances[positive], gts[match[positive]]))
            if self.encode_variance_in_target:
                loc_pred[-1] = loc_pred[-1] / variances[positive]
                loc_gt[-1] = loc_gt[-1] / variances[positive]
            if self.mining_type == "NONE":
                conf_rows.append(conf[i])
                conf_labels.append(target)
                continue
            with torch.no_grad():
                background = torch.softmax(conf[i], 1)[:, self.background_label_id]
                losses = -torch.log(background.clamp(min=self.FLT_MIN))
            eligible = torch.nonzero((match == -1) & (best < self.neg_overlap)).reshape(-1)
            wanted = int(torch.tensor(float(int(positive.sum())), dtype=torch.float32) * self.neg_pos_ratio)
            order = torch.sort(losses[eligible], descending=True, stable=True).indices
            negatives = torch.sort(eligible[order[:min(wanted, eligible.numel())]]).values
            conf_rows += [conf[i][positive], conf[i][negatives]]
            conf_labels += [target[positive], target[negatives]]
        loss = loc.new_zeros(())
        normalizer = {"FULL": num * count, "VALID": matches, "BATCH_SIZE": num, "NONE": 1}[self.normalization]
        normalizer = max(1.0, float(normalizer))
        if self.loc_term and matches >= 1:
            d = torch.cat(loc_pred) - torch.cat(loc_gt)
            a = d.abs()
            if self.loc_loss_type == "L2":
                loc_loss = (d * d).sum() / 2
            else:
                loc_loss = torch.where(a < 1.0, 0.5 * d * d, a - 0.5).sum()
            loss = loss + self.loc_weight * loc_loss / normalizer
        rows = torch.cat(conf_rows) if conf_rows else conf.reshape(-1, self.num_classes)[:0]
        if self.conf_term and rows.shape[0] >= 1:
            p = torch.softmax(rows, 1).gather(1, torch.cat(conf_labels).reshape(-1, 1))
            loss = loss + (-torch.log(p.clamp(min=self.FLT_MIN))).sum() / normalizer
        return loss`;
