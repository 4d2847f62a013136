/**
 * The source map a fork layer reads its parameters from. Our schema is BVLC's, so a fork message
 * (`interp_param`, `bn_param`, …) exists only as raw syntax in the source map; without it every
 * fork field would read as its default and a layer would run with the wrong settings unnoticed.
 */
import type { SourceMap } from "../../schema/locations.js";
import { fail, type LayerContext } from "../types.js";

/** The context's source map, failing (`fork-params-need-source-map`) when the caller gave none. */
export function forkSource(ctx: LayerContext): SourceMap {
  return ctx.sourceMap ?? fail("fork-params-need-source-map", { layer: ctx.layer.name, type: ctx.layer.type });
}
