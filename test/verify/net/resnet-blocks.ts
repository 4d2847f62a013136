/**
 * Two ResNet blocks with Caffe's in-place BatchNorm → Scale → ReLU chains and a residual Eltwise.
 * Every blob has one size, so each buffer is handed out again: a fused block writing its output
 * over the input it still normalises, or a branch freed before its Eltwise, would show.
 */
export const RESNET_BLOCKS = (() => {
  const block = (name: string, bottom: string): string => `
layer { name: "${name}" type: "Convolution" bottom: "${bottom}" top: "${name}" convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
layer { name: "bn_${name}" type: "BatchNorm" bottom: "${name}" top: "${name}" batch_norm_param { use_global_stats: true } }
layer { name: "scale_${name}" type: "Scale" bottom: "${name}" top: "${name}" scale_param { bias_term: true } }
layer { name: "${name}_relu" type: "ReLU" bottom: "${name}" top: "${name}" }`;
  return `layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 8 dim: 24 dim: 24 } } }
${block("a", "x")}${block("b", "a")}
layer { name: "sum" type: "Eltwise" bottom: "x" bottom: "b" top: "sum" }
layer { name: "sum_relu" type: "ReLU" bottom: "sum" top: "sum" }${block("c", "sum")}`;
})();
