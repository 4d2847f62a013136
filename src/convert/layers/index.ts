import { activationConverter } from "./activations.js";
import { argMaxConverter } from "./argmax.js";
import { batchNormConverter, forkBatchNormConverter } from "./batch-norm.js";
import { channelsConverter } from "./channels.js";
import { convolutionConverter } from "./convolution.js";
import { dataConverter } from "./data.js";
import { detectionLossConverter } from "./detection-losses.js";
import { convolutionDepthwiseConverter } from "./depthwise.js";
import { embedConverter } from "./embed.js";
import { innerProductConverter } from "./inner-product.js";
import { interpConverter } from "./interp.js";
import { normalizationConverter } from "./normalization.js";
import { lossConverter } from "./losses.js";
import { ocrConverter } from "./ocr.js";
import { poolingConverter } from "./pooling.js";
import { parameterConverter } from "./parameter.js";
import { reductionConverter } from "./reduction.js";
import { reshapeConverter } from "./reshape.js";
import { roiPoolingConverter } from "./roi-pooling.js";
import { scaleConverter } from "./scale.js";
import { slicingConverter } from "./slicing.js";
import { ssdConverter } from "./ssd.js";
import { structureConverter } from "./structure.js";
import type { LayerConverter } from "./types.js";
import { upsampleConverter } from "./upsample.js";

/** Every layer converter `export` uses; each Caffe type string belongs to exactly one. */
const CONVERTERS: readonly LayerConverter[] = [
  dataConverter,
  convolutionConverter,
  poolingConverter,
  innerProductConverter,
  activationConverter,
  batchNormConverter,
  scaleConverter,
  normalizationConverter,
  structureConverter,
  reshapeConverter,
  slicingConverter,
  reductionConverter,
  argMaxConverter,
  embedConverter,
  parameterConverter,
  lossConverter,
  // Detection and OCR forks.
  ssdConverter,
  roiPoolingConverter,
  detectionLossConverter,
  ocrConverter,
  // Fork layer types.
  forkBatchNormConverter,
  convolutionDepthwiseConverter,
  interpConverter,
  upsampleConverter,
  channelsConverter,
];

/** Converters by Caffe type; a type claimed twice is a programming error caught at load. */
export const LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = (() => {
  const map = new Map<string, LayerConverter>();
  for (const c of CONVERTERS) {
    for (const t of c.types) {
      if (map.has(t)) throw new Error(`layer type ${t} has two converters`);
      map.set(t, c);
    }
  }
  return map;
})();
