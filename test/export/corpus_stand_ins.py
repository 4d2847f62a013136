"""Stand-ins for the Caffe Python layers of the corpus nets, as a user of an exported model writes
them: modules that take the place of the CaffeLayerStubs through build(stand_ins=STAND_INS).

They are not ports of the Python layers: they give tops of the shapes and value ranges the real
layers give (so that every converted layer after them runs), from the facts of the layers' own
code:
- ENet's spatial_dropout.SpatialDropoutLayer (TimoSaemann/ENet): drops whole channels with
  probability p in training, passes the blob through at test; nn.Dropout2d(p) does that.
- py-faster-rcnn's (and py-R-FCN's) roi_data_layer.layer.RoIDataLayer: tops data (the image
  batch), im_info (height, width, scale) and gt_boxes (x1, y1, x2, y2, class) per box.
- rpn.proposal_layer.ProposalLayer: rois (R, 5), rows (batch index 0, x1, y1, x2, y2) inside the
  image; here a fixed grid of ROIS boxes over the image im_info gives.
- rpn.anchor_target_layer.AnchorTargetLayer: for A anchors per position of the (1, 2A, H, W)
  score map, labels (1, 1, A*H, W) in {-1 (ignored), 0, 1}, and bbox targets, inside and outside
  weights of shape (1, 4A, H, W).
- rpn.proposal_target_layer.ProposalTargetLayer: of the proposals, rois (R, 5), labels (R,) in
  [0, num_classes), and bbox targets, inside and outside weights of shape (R, 4 * num_classes).
"""

import ast

import torch
from torch import nn

# How many proposals the ProposalLayer stand-in gives (Caffe's ProposalLayer gives up to 300 at test).
ROIS = 16


def python_params(stub):
    """A py-faster-rcnn style param_str ("'feat_stride': 16", yaml flow without braces) or ENet's
    dict literal, as a dict."""
    text = stub.param_str.strip()
    if text == "":
        return {}
    return ast.literal_eval(text if text.startswith("{") else "{" + text + "}")


class SpatialDropout(nn.Module):
    """spatial_dropout.SpatialDropoutLayer: nn.Dropout2d with the layer's p (a string in param_str)."""

    def __init__(self, stub):
        super().__init__()
        self.dropout = nn.Dropout2d(float(python_params(stub)["p"]))

    def forward(self, x):
        return self.dropout(x)


class RoIData(nn.Module):
    """roi_data_layer.layer.RoIDataLayer: one seeded image of the shape given for `data`, its
    im_info and two ground-truth boxes."""

    def __init__(self, stub):
        super().__init__()
        self.shape = stub.top_shapes[0]

    def forward(self):
        g = torch.Generator().manual_seed(0)
        n, c, h, w = self.shape
        data = torch.randn(n, c, h, w, generator=g)
        im_info = torch.tensor([[float(h), float(w), 1.0]])
        gt_boxes = torch.tensor([[8.0, 8.0, w / 2.0, h / 2.0, 3.0], [w / 3.0, h / 4.0, w - 9.0, h - 9.0, 12.0]])
        return data, im_info, gt_boxes


def grid_rois(count, height, width):
    """count boxes (batch index 0, x1, y1, x2, y2) on a grid over a height x width image."""
    side = int(count ** 0.5 + 0.999)
    i = torch.arange(count, dtype=torch.float32)
    x1 = (i % side) * (width / side)
    y1 = torch.div(i, side, rounding_mode="floor") * (height / side)
    x2 = torch.clamp(x1 + width / side * 1.5, max=width - 1.0)
    y2 = torch.clamp(y1 + height / side * 1.5, max=height - 1.0)
    return torch.stack([torch.zeros(count), x1, y1, x2, y2], 1)


class Proposal(nn.Module):
    """rpn.proposal_layer.ProposalLayer: ROIS fixed boxes inside the image of im_info."""

    def __init__(self, stub):
        super().__init__()

    def forward(self, scores, deltas, im_info):
        return grid_rois(ROIS, float(im_info[0, 0]), float(im_info[0, 1]))


class AnchorTarget(nn.Module):
    """rpn.anchor_target_layer.AnchorTargetLayer: labels -1/0/1 and targets with their weights."""

    def __init__(self, stub):
        super().__init__()

    def forward(self, rpn_cls_score, gt_boxes, im_info, data):
        n, two_a, h, w = rpn_cls_score.shape
        a = two_a // 2
        labels = (torch.arange(a * h * w) % 3 - 1).float().reshape(1, 1, a * h, w)
        targets = torch.linspace(-1.5, 1.5, 4 * a * h * w).reshape(1, 4 * a, h, w)
        fg = (labels.reshape(1, a, 1, h, w) == 1).float().expand(1, a, 4, h, w).reshape(1, 4 * a, h, w)
        outside = torch.full((1, 4 * a, h, w), 1.0 / max(1, int((labels >= 0).sum())))
        return labels, targets, fg, outside


class ProposalTarget(nn.Module):
    """rpn.proposal_target_layer.ProposalTargetLayer: every proposal kept, classes alternating."""

    def __init__(self, stub):
        super().__init__()
        self.classes = int(python_params(stub)["num_classes"])

    def forward(self, rpn_rois, gt_boxes):
        count = rpn_rois.shape[0]
        labels = (torch.arange(count) % self.classes).float()
        targets = torch.linspace(-0.5, 0.5, count * 4 * self.classes).reshape(count, 4 * self.classes)
        inside = (labels > 0).float().reshape(count, 1).expand(count, 4 * self.classes).contiguous()
        return rpn_rois, labels, targets, inside, inside.clone()


# Keys as replace_stubs reads them: a Python layer's "module.Layer" from its python_param.
STAND_INS = {
    "spatial_dropout.SpatialDropoutLayer": SpatialDropout,
    "roi_data_layer.layer.RoIDataLayer": RoIData,
    "rpn.proposal_layer.ProposalLayer": Proposal,
    "rpn.anchor_target_layer.AnchorTargetLayer": AnchorTarget,
    "rpn.proposal_target_layer.ProposalTargetLayer": ProposalTarget,
}
