import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, netWith, nodeOf, refusalOf } from "./snippet.js";

const seq = (layers: string): string => netWith([20, 4, 64], layers);
const lstm = (param: string, bottoms = 'bottom: "data"'): string => seq(`layer { name: "lstm" type: "Lstm" ${bottoms} top: "lstm" lstm_param { ${param} } }`);

describe("Reverse and Transpose", () => {
  it("Reverse flips the bottom along reverse_param.axis (default 0, the time axis)", () => {
    expect(forwardOf(seq(`layer { name: "r" type: "Reverse" bottom: "data" top: "r" }`), "r")).toBe("r = torch.flip(data, [0])");
    expect(forwardOf(seq(`layer { name: "r" type: "Reverse" bottom: "data" top: "r" reverse_param { axis: 2 } }`), "r")).toBe("r = torch.flip(data, [2])");
  });
  it("Reverse refuses a negative axis and one beyond the rank (the fork's CHECKs)", () => {
    expect(refusalOf(seq(`layer { name: "r" type: "Reverse" bottom: "data" top: "r" reverse_param { axis: -1 } }`), "r")).toBe("axis-out-of-range");
    expect(refusalOf(seq(`layer { name: "r" type: "Reverse" bottom: "data" top: "r" reverse_param { axis: 3 } }`), "r")).toBe("axis-out-of-range");
  });
  it("Transpose is .permute(dim): top axis i is bottom axis dim[i], and the next layer sees the permuted shape", () => {
    const text = netWith([2, 8, 1, 25], `layer { name: "t" type: "Transpose" bottom: "data" top: "t" transpose_param { dim: 3 dim: 2 dim: 0 dim: 1 } }\n` +
      `layer { name: "ip" type: "InnerProduct" bottom: "t" top: "ip" inner_product_param { num_output: 5 axis: 3 } }`);
    expect(forwardOf(text, "t")).toBe("t = data.permute(3, 2, 0, 1)");
    expect(nodeOf(graphOf(text), "ip").module).toEqual({ cls: "nn.Linear", args: [8, 5], kwargs: {} });
  });
  it("Transpose refuses dims that are not one permutation of the bottom's axes", () => {
    expect(refusalOf(seq(`layer { name: "t" type: "Transpose" bottom: "data" top: "t" transpose_param { dim: 1 dim: 0 } }`), "t")).toBe("transpose-dim-count");
    expect(refusalOf(seq(`layer { name: "t" type: "Transpose" bottom: "data" top: "t" transpose_param { dim: 1 dim: 1 dim: 0 } }`), "t")).toBe("transpose-not-permutation");
  });
});

describe("Lstm (caffe_ocr)", () => {
  it("is the Lstm helper keeping the fork's blobs: input weights [4H, I], recurrent weights [4H, H], one bias [4H]", () => {
    const text = lstm('num_output: 256 weight_filler { type: "gaussian" std: 0.1 } bias_filler { type: "constant" }');
    const node = nodeOf(graphOf(text), "lstm");
    expect(node.module).toEqual({ cls: "Lstm", args: [64, 256], kwargs: {} });
    expect(node.params.map((p) => [p.blob, p.key, p.shape, p.layout.kind])).toEqual([
      [0, "lstm.weight_i", [1024, 64], "same"],
      [1, "lstm.weight_h", [1024, 256], "same"],
      [2, "lstm.bias", [1024], "same"],
    ]);
    expect(node.params[0]!.filler).toMatchObject({ type: "gaussian", std: 0.1 });
    expect(node.params[2]!.filler).toMatchObject({ type: "constant", value: 0 });
    expect(forwardOf(text, "lstm")).toBe("lstm = self.lstm(data)");
  });
  it("gives its top [T, N, num_output]", () => {
    const text = `${lstm("num_output: 32")}\nlayer { name: "ip" type: "InnerProduct" bottom: "lstm" top: "ip" inner_product_param { num_output: 7 axis: 2 } }`;
    expect(nodeOf(graphOf(text), "ip").module!.args).toEqual([32, 7]);
  });
  it("refuses the continuation-marker input (state carried between forwards), another rank and a missing num_output", () => {
    expect(refusalOf(`${lstm("num_output: 8", 'bottom: "data" bottom: "data"')}`, "lstm")).toBe("lstm-continuation-input");
    expect(refusalOf(netWith([2, 3], `layer { name: "lstm" type: "Lstm" bottom: "data" top: "lstm" lstm_param { num_output: 8 } }`), "lstm")).toBe("lstm-rank");
    expect(refusalOf(lstm(""), "lstm")).toBe("lstm-num-output");
  });
});

describe("CTCGreedyDecoder and WarpCTCLoss", () => {
  const labels = `layer { name: "label" type: "Input" top: "label" input_param { shape { dim: 4 dim: 10 } } }\n`;
  it("CTCGreedyDecoder decodes one input, or scores the decoding against the labels as a second input", () => {
    const one = seq(`layer { name: "dec" type: "CTCGreedyDecoder" bottom: "data" top: "dec" ctc_decoder_param { blank_index: -1 ctc_merge_repeated: false } }`);
    expect(nodeOf(graphOf(one), "dec").module).toEqual({ cls: "CTCGreedyDecoder", args: [], kwargs: { blank_index: -1, merge_repeated: false } });
    expect(forwardOf(one, "dec")).toBe("dec = self.dec(data)");
    const two = seq(`${labels}layer { name: "acc" type: "CTCGreedyDecoder" bottom: "data" bottom: "label" top: "acc" }`);
    expect(forwardOf(two, "acc")).toBe("acc = self.acc(data, label)");
  });
  it("CTCGreedyDecoder refuses a second top (the fork's disabled code path)", () => {
    expect(refusalOf(seq(`layer { name: "dec" type: "CTCGreedyDecoder" bottom: "data" top: "dec" top: "score" }`), "dec")).toBe("ctc-decoder-blobs");
  });
  it("WarpCTCLoss is a loss (loss_weight 1 by default) on (activations, labels); other input forms are refused", () => {
    const text = seq(`${labels}layer { name: "ctc" type: "WarpCTCLoss" bottom: "data" bottom: "label" top: "ctc" ctc_loss_param { blank_index: 3 } }`);
    const node = nodeOf(graphOf(text), "ctc");
    expect(node.module).toEqual({ cls: "WarpCTCLoss", args: [], kwargs: { blank_index: 3 } });
    expect(node.lossWeights).toEqual([1]);
    const three = seq(`${labels}layer { name: "ctc" type: "WarpCTCLoss" bottom: "data" bottom: "label" bottom: "label" top: "ctc" }`);
    expect(refusalOf(three, "ctc")).toBe("warp-ctc-loss-form");
  });
});
