import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceMap } from "../schema/locations.js";
import type { NetModel } from "./net.js";

/** Where a blob version is written: layer position in `NetModel.layers` and top index. */
export interface Producer {
  layer: number;
  top: number;
}

/** Where a blob version is read: layer position in `NetModel.layers` and bottom index. */
export interface Consumer {
  layer: number;
  bottom: number;
}

/**
 * One version of a named blob. A layer working in place (top j named like bottom j) writes a new
 * version of the same name; every bottom reads the version current at that point of the net.
 */
export interface BlobVersion {
  /** Index into `BlobGraph.versions`. */
  id: number;
  blob: string;
  /** 0 for the first write, +1 for each in-place rewrite. */
  version: number;
  /** null for a blob read before anything produced it (Caffe refuses such a net). */
  producer: Producer | null;
  consumers: Consumer[];
}

/** The data flow of a net model. */
export interface BlobGraph {
  versions: BlobVersion[];
  /** For each layer position: the version id read by each bottom. */
  bottoms: number[][];
  /** For each layer position: the version id written by each top. */
  tops: number[][];
  diagnostics: Diagnostic[];
}

/**
 * Builds the blob graph the way Caffe's Net::AppendBottom/AppendTop wire a net: a top is in place
 * only when it names the bottom at the same index; any other top reusing an existing name is what
 * Caffe rejects as "produced by multiple sources", and a bottom nobody produced is an "Unknown
 * bottom blob". Both are reported and the graph is still built (a dangling version has no producer).
 */
export function buildBlobGraph(model: NetModel, sourceMap?: SourceMap): BlobGraph {
  const versions: BlobVersion[] = [];
  const current = new Map<string, number>();
  const bottoms: number[][] = [];
  const tops: number[][] = [];
  const diagnostics: Diagnostic[] = [];

  const create = (blob: string, producer: Producer | null): number => {
    const previous = current.get(blob);
    const id = versions.length;
    versions.push({ id, blob, version: previous === undefined ? 0 : versions[previous]!.version + 1, producer, consumers: [] });
    current.set(blob, id);
    return id;
  };

  model.layers.forEach((layer, position) => {
    const read: number[] = [];
    layer.bottoms.forEach((name, bottom) => {
      let id = current.get(name);
      if (id === undefined) {
        diagnostics.push(
          diagnostic("unknown-bottom", "warning", sourceMap?.rangeOf(layer.param, "bottom", bottom), { layer: layer.name, blob: name }),
        );
        id = create(name, null);
      }
      versions[id]!.consumers.push({ layer: position, bottom });
      read.push(id);
    });
    const written: number[] = [];
    layer.tops.forEach((name, top) => {
      const inPlace = layer.bottoms[top] === name;
      if (!inPlace && current.has(name)) {
        diagnostics.push(
          diagnostic("duplicate-top", "error", sourceMap?.rangeOf(layer.param, "top", top), { layer: layer.name, blob: name }),
        );
      }
      written.push(create(name, { layer: position, top }));
    });
    bottoms.push(read);
    tops.push(written);
  });

  return { versions, bottoms, tops, diagnostics };
}

/** True when layer `position` reads and writes the same blob at index 0 (works in place). */
export function isInPlace(graph: BlobGraph, position: number): boolean {
  const b = graph.bottoms[position]?.[0];
  const t = graph.tops[position]?.[0];
  return b !== undefined && t !== undefined && graph.versions[b]!.blob === graph.versions[t]!.blob;
}
