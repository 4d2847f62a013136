/** Caffe's fillers that are not one call of a torch.Tensor method: bilinear, positive_unitball, sparse. */

/** BilinearFiller, in float32 as Caffe computes it. */
export const BILINEAR_SOURCE = `def caffe_bilinear_(weight):
    """Caffe's bilinear filler: every k x k kernel of a 4-D blob gets, at column x and row y,
    (1 - |x / f - c|) * (1 - |y / f - c|) with f = ceil(k / 2) and c = (k - 1) / (2 f), in float32."""
    if weight.dim() != 4 or weight.shape[2] != weight.shape[3]:
        raise ValueError("the bilinear filler needs a 4-D blob with square kernels, as Caffe's "
                         "BilinearFiller checks; this one has shape {}".format(tuple(weight.shape)))
    k = weight.shape[3]
    f = (k + 1) // 2
    c = torch.tensor((k - 1) / (2.0 * f), dtype=torch.float32)
    w = 1 - (torch.arange(k, dtype=torch.float32) / f - c).abs()
    return weight.copy_(w[:, None] * w[None, :])`;

/** PositiveUnitballFiller. */
export const POSITIVE_UNITBALL_SOURCE = `def caffe_positive_unitball_(blob, g):
    """Caffe's positive_unitball filler: uniform in [0, 1], then each of the blob's shape[0]
    rows divided by its sum, so that every row sums to 1."""
    blob.uniform_(0, 1, generator=g)
    if blob.dim() > 1:
        return blob.div_(blob.sum(dim=tuple(range(1, blob.dim())), keepdim=True))
    return blob.div_(blob.clone())`;

/** GaussianFiller's `sparse`. */
export const SPARSE_SOURCE = `def caffe_sparse_(blob, p, g):
    """The sparse option of Caffe's gaussian filler: each value is kept with probability p
    (sparse / shape[0]) and set to 0 otherwise."""
    return blob.mul_(torch.empty_like(blob).bernoulli_(p, generator=g))`;
