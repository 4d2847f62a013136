import { describe, expect, it } from "vitest";
import { forwardOf, netWith, refusalOf } from "./snippet.js";

const flatten = (param: string): string => netWith([2, 4, 13, 11], `layer { name: "f" type: "Flatten" bottom: "data" top: "f" ${param} }`);
const reshape = (param: string): string => netWith([2, 4, 13, 11], `layer { name: "r" type: "Reshape" bottom: "data" top: "r" reshape_param { ${param} } }`);

describe("Flatten", () => {
  it("flattens from axis 1 to the end by default", () => {
    expect(forwardOf(flatten(""), "f")).toBe("f = torch.flatten(data, 1)");
    expect(forwardOf(flatten("flatten_param { axis: 2 }"), "f")).toBe("f = torch.flatten(data, 2)");
  });
  it("stops at end_axis, negative axes counted from the end", () => {
    expect(forwardOf(flatten("flatten_param { axis: -3 end_axis: -2 }"), "f")).toBe("f = torch.flatten(data, 1, 2)");
  });
  it("refuses an end_axis before axis", () => {
    expect(refusalOf(flatten("flatten_param { axis: 2 end_axis: 1 }"), "f")).toBe("axis-out-of-range");
  });
});

describe("Reshape", () => {
  it("copies 0 dims from the input at run time (the batch stays free) and leaves -1 to torch", () => {
    expect(forwardOf(reshape("shape { dim: 0 dim: 2 dim: -1 dim: 11 }"), "r")).toBe("r = data.reshape(data.shape[0], 2, -1, 11)");
  });
  it("replaces only the axes [axis, axis + num_axes) and keeps the others", () => {
    expect(forwardOf(reshape("shape { dim: -1 } axis: 1 num_axes: 2"), "r")).toBe("r = data.reshape(data.shape[0], -1, data.shape[3])");
  });
  it("reads a negative axis as Caffe does: -1 is after the last axis", () => {
    expect(forwardOf(reshape("shape { dim: 1 } axis: -1"), "r")).toBe("r = data.reshape(data.shape[0], data.shape[1], data.shape[2], data.shape[3], 1)");
  });
  it("refuses two -1 dims and a 0 with no input axis to copy", () => {
    expect(refusalOf(reshape("shape { dim: -1 dim: -1 }"), "r")).toBe("reshape-dims");
    expect(refusalOf(reshape("shape { dim: 0 dim: 0 dim: 0 dim: 0 dim: 0 }"), "r")).toBe("reshape-dims");
  });
});
