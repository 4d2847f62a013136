/**
 * `PriorBox`: the SSD fork's PriorBox layer, PriorBoxLayer::LayerSetUp and Forward_cpu (weiliu89/caffe
 * ssd, src/caffe/layers/prior_box_layer.cpp:11-100, 120-219): the default boxes of every cell of a
 * feature map, in the fork's order (row, column, then per min_size: the min box, the
 * sqrt(min·max) box, one box per aspect ratio other than 1), followed by their variances. The
 * sizes are truncated to int as the fork does (`int min_size_ = min_sizes_[s]`); centres and
 * sizes are float32, the corners are computed in double and stored as float32, as there.
 */
export const PRIOR_BOX_SOURCE = `class PriorBox(nn.Module):
    """SSD Caffe's PriorBox layer (prior_box_layer.cpp): [1, 2, H*W*num_priors*4].

    Channel 0 holds (xmin, ymin, xmax, ymax) of each prior, relative to the
    image; channel 1 their variances. The priors depend only on the shapes of
    the feature map and of the image (or img_size/img_h/img_w when given), so
    the priors of the shapes known at export are kept as a buffer and others
    are computed on the fly.
    """

    def __init__(self, min_sizes, max_sizes=(), aspect_ratios=(), flip=True, clip=False,
                 variance=(0.1,), img_size=None, step=None, offset=0.5, shapes=None):
        super().__init__()
        self.min_sizes = [int(s) for s in min_sizes]
        self.max_sizes = [int(s) for s in max_sizes]
        self.clip = clip
        self.variance = list(variance)
        self.img_size = img_size
        self.step = step
        self.offset = offset
        f32 = lambda v: torch.tensor(v, dtype=torch.float32)
        # LayerSetUp: 1 first, then each ratio not within 1e-6 of one listed, and 1/ratio with flip.
        ratios = [f32(1.0)]
        for r in aspect_ratios:
            ar = f32(r)
            if any(abs(float(ar - e)) < 1e-6 for e in ratios):
                continue
            ratios.append(ar)
            if flip:
                ratios.append(f32(1.0 / float(ar)))
        sizes = []
        for s, m in enumerate(self.min_sizes):
            sizes.append((f32(m), f32(m)))
            if self.max_sizes:
                side = torch.tensor(float(m * self.max_sizes[s]), dtype=torch.float64).sqrt().float()
                sizes.append((side, side))
            for ar in ratios:
                if abs(float(ar) - 1.0) < 1e-6:
                    continue
                sizes.append((f32(m) * ar.sqrt(), f32(m) / ar.sqrt()))
        self.register_buffer("box_w", torch.stack([w for w, _ in sizes]), persistent=False)
        self.register_buffer("box_h", torch.stack([h for _, h in sizes]), persistent=False)
        self.num_priors = len(sizes)
        self.shapes = shapes
        self.register_buffer("priors", None if shapes is None else self.compute(*shapes), persistent=False)

    def compute(self, layer_h, layer_w, img_h, img_w):
        """The layer's top for a layer_h x layer_w feature map of an img_h x img_w image."""
        if self.img_size is not None:
            img_h, img_w = self.img_size
        f32 = lambda v: torch.tensor(v, dtype=torch.float32, device=self.box_w.device)
        if self.step is None:
            step_h, step_w = f32(img_h) / layer_h, f32(img_w) / layer_w
        else:
            step_h, step_w = f32(self.step[0]), f32(self.step[1])
        cy = (torch.arange(layer_h, dtype=torch.float32, device=self.box_w.device) + f32(self.offset)) * step_h
        cx = (torch.arange(layer_w, dtype=torch.float32, device=self.box_w.device) + f32(self.offset)) * step_w
        cx = cx.double().reshape(1, -1, 1)
        cy = cy.double().reshape(-1, 1, 1)
        half_w = self.box_w.double() / 2.0
        half_h = self.box_h.double() / 2.0
        boxes = torch.stack(torch.broadcast_tensors(
            (cx - half_w) / img_w, (cy - half_h) / img_h,
            (cx + half_w) / img_w, (cy + half_h) / img_h), -1).float().reshape(-1)
        if self.clip:
            boxes = boxes.clamp(0.0, 1.0)
        variance = torch.tensor(self.variance, dtype=torch.float32, device=boxes.device)
        variance = variance.repeat(boxes.numel() // variance.numel())
        return torch.stack([boxes, variance]).unsqueeze(0)

    def forward(self, feature, image=None):
        layer_h, layer_w = feature.shape[2], feature.shape[3]
        if self.img_size is None:
            img_h, img_w = image.shape[2], image.shape[3]
        else:
            img_h, img_w = self.img_size
        if self.priors is not None and tuple(self.shapes) == (layer_h, layer_w, img_h, img_w):
            return self.priors
        return self.compute(layer_h, layer_w, img_h, img_w)`;
