/** `ArgMax`: Caffe's ArgMaxLayer, including its order for equal values. */
export const ARGMAX_SOURCE = `class ArgMax(nn.Module):
    """Caffe's ArgMax layer: the top_k indices (as floats) or values, equal values larger index first.

    Without axis each item's values are ranked together and the result is
    [N, 1 (2 with out_max_val), top_k, 1...]: the indices, then the values.
    """

    def __init__(self, top_k=1, axis=None, out_max_val=False):
        super().__init__()
        self.top_k = top_k
        self.axis = axis
        self.out_max_val = out_max_val

    def _top(self, x, dim):
        # Caffe sorts (value, index) pairs descending: on the reversed axis a stable
        # descending sort puts equal values at the larger index first, as Caffe does.
        values, order = torch.sort(x.flip(dim), dim=dim, descending=True, stable=True)
        indices = x.shape[dim] - 1 - order.narrow(dim, 0, self.top_k)
        return values.narrow(dim, 0, self.top_k), indices.to(x.dtype)

    def forward(self, x):
        if self.axis is not None:
            values, indices = self._top(x, self.axis)
            return values if self.out_max_val else indices
        values, indices = self._top(x.reshape(x.shape[0], 1, -1), 2)
        y = torch.cat([indices, values], 1) if self.out_max_val else indices
        return y.reshape(y.shape + (1,) * (x.dim() - 3))`;
