/** `MaxUnpool`: Upsample of caffe-segnet / caffe-enet (alexgkendall/caffe-segnet src/caffe/layers/upsample_layer.cpp:66-99). */
export const MAX_UNPOOL_SOURCE = `class MaxUnpool(nn.Module):
    """SegNet / ENet Caffe's Upsample layer: each value goes where its Pooling mask points.

    The mask holds, per value, the place h * W + w in the output plane (a MAX Pooling
    layer's second top, as max_pool2d(return_indices=True) gives it); every other place
    is 0. The output plane is size when upsample_h/upsample_w are written, otherwise
    the input's times scale, minus pad_out. A place named twice keeps the value written
    last in Caffe's loop; torch's CPU scatter does the same.
    """

    def __init__(self, size=None, scale=(2, 2), pad_out=(0, 0)):
        super().__init__()
        self.size = size
        self.scale = scale
        self.pad_out = pad_out

    def forward(self, x, mask):
        n, c, h, w = x.shape
        if self.size is not None:
            height, width = self.size
        else:
            height = h * self.scale[0] - self.pad_out[0]
            width = w * self.scale[1] - self.pad_out[1]
        # Caffe reads each mask value through static_cast<int>: .long() truncates alike.
        places = mask.reshape(n, c, h * w).long()
        out = x.new_zeros(n, c, height * width)
        out.scatter_(2, places, x.reshape(n, c, h * w))
        return out.view(n, c, height, width)`;
