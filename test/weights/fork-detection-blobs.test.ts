import { describe, expect, it } from "vitest";
import { exportState } from "../../src/weights/export-state.js";
import { graphOf, netWith } from "../convert/layers/snippet.js";
import { blob, encodeCaffemodel, legacyBlob } from "./support.js";

const NET = [
  `layer { name: "n_shared" type: "Normalize" bottom: "data" top: "n_shared" }`,
  `layer { name: "n_chan" type: "Normalize" bottom: "data" top: "n_chan" norm_param { channel_shared: false } }`,
  `layer { name: "seq" type: "Reshape" bottom: "data" top: "seq" reshape_param { shape { dim: 0 dim: 0 dim: -1 } } }`,
  `layer { name: "lstm" type: "Lstm" bottom: "seq" top: "lstm" lstm_param { num_output: 2 } }`,
].join("\n");

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe("blobs of the SSD and OCR fork layers from a caffemodel", () => {
  const graph = graphOf(netWith([1, 3, 2, 2], NET));
  const model = (shared: ReturnType<typeof blob>) =>
    encodeCaffemodel({
      layer: [
        { name: "n_shared", type: "Normalize", blobs: [shared] },
        { name: "n_chan", type: "Normalize", blobs: [blob([3], [20, 21, 22])] },
        // [T, N, I] = [1, 3, 4]: input weights [4·2, 4], recurrent [4·2, 2], bias [8].
        { name: "lstm", type: "Lstm", blobs: [blob([8, 4], range(32)), blob([8, 2], range(16, 100)), blob([8], range(8, 200))] },
      ],
    });

  it("keeps Normalize's 0-d shared scale and per-channel scale, and Lstm's three blobs, in Caffe's layout", () => {
    const state = exportState(graph, model(blob([], [20])));
    expect(state.diagnostics).toEqual([]);
    const t = (k: string) => ({ shape: state.tensors.get(k)!.shape, data: Array.from(state.tensors.get(k)!.data as Float32Array) });
    expect(t("n_shared.weight")).toEqual({ shape: [], data: [20] });
    expect(t("n_chan.weight")).toEqual({ shape: [3], data: [20, 21, 22] });
    expect(t("lstm.weight_i")).toEqual({ shape: [8, 4], data: range(32) });
    expect(t("lstm.weight_h")).toEqual({ shape: [8, 2], data: range(16, 100) });
    expect(t("lstm.bias")).toEqual({ shape: [8], data: range(8, 200) });
  });

  it("accepts the shared scale saved with the legacy 1x1x1x1 fields, and names the layer when a blob has the wrong shape", () => {
    expect(exportState(graph, model(legacyBlob([1, 1, 1, 1], [20]))).diagnostics).toEqual([]);
    const wrong = exportState(graph, model(blob([3], [1, 2, 3])));
    expect(wrong.diagnostics.map((d) => [d.code, d.data["layer"]])).toEqual([["weights-shape-mismatch", "n_shared"]]);
  });
});
