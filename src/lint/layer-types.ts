/** The layer-type catalogue lint uses; it lives in caffe/layers (one catalogue for every stage). */
export { BVLC_LAYER_TYPES, FORK_LAYER_TYPE_NAMES, forkOfLayerType } from "../caffe/layers/known-types.js";
