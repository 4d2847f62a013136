/**
 * The default tolerance of `verify --net`: how far two correct float32 forwards of the same net may
 * drift apart, scaled as `max|caffe − torch| / max(1, max|caffe|)` per top.
 */

/**
 * Default scaled tolerance (`--tolerance` overrides it).
 *
 * Both sides compute in float32 (unit roundoff u = 2⁻²⁴ ≈ 6e-8) but add in different orders: our
 * Caffe executor sums each GEMM output in double and rounds once, PyTorch's CPU kernels keep float32
 * accumulators in their own blocking. A dot product of K terms then differs by about √K·u·Σ|w·x|
 * (random-walk growth of rounding errors), and an error upstream carries through the layers after it.
 * 1e-5 ≈ 170·u covers √K for K up to ~5000 (ResNet-50's widest 3×3 convolution has K = 4608) with
 * margin for Σ|w·x| exceeding the output; measured on the golden nets the largest scaled error of the
 * emitted model against the executor is a few 1e-6 (README, "Whole-net verification"). A wrong mapping
 * lands far above it: a dropped Eltwise coeff or a transposed weight changes values by O(1), a BatchNorm
 * eps of 1e-5 for 1e-3 by ~5e-4 of the output, a floor-rounded pooling changes the shape.
 */
export const DEFAULT_NET_TOLERANCE = 1e-5;
