import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { buildSchema, CAFFE_PROTO_PATH, type EnumInfo, type MessageInfo } from "../../src/schema/load.js";
import { schemaFromJson, schemaToJson, type SchemaJson } from "../../src/schema/schema-json.js";
import { ROOT } from "../helpers/paths.js";

/** The tables with type links as names, so that two loads compare by value. */
function view(messages: Map<string, MessageInfo>, enums: Map<string, EnumInfo>) {
  return {
    messages: [...messages.values()].map((m) => [m.fullName, m.ordered.map((f) => ({ ...f, parent: f.parent.fullName, message: f.message?.fullName, enumInfo: f.enumInfo?.fullName }))]),
    enums: [...enums.values()].map((e) => [e.fullName, [...e.values], [...e.names]]),
  };
}

const text = readFileSync(CAFFE_PROTO_PATH, "utf8");
const parsed = buildSchema(protobuf.parse(text, { keepCase: true }).root);

describe("the schema tables as JSON", () => {
  it("read back equal to the tables protobufjs gives for caffe.proto", () => {
    const json = JSON.parse(JSON.stringify(schemaToJson(parsed.messages, parsed.enums, text))) as SchemaJson;
    const back = schemaFromJson(json);
    expect(view(back.messages, back.enums)).toEqual(view(parsed.messages, parsed.enums));
    expect(back.messages.get("caffe.LayerParameter")!.fields.get("convolution_param")!.message).toBe(back.messages.get("caffe.ConvolutionParameter"));
  });

  it("refuse a default JSON cannot hold instead of writing null", () => {
    const m = parsed.messages.get("caffe.BatchNormParameter")!;
    const eps = { ...m.fields.get("eps")!, defaultValue: Infinity };
    const broken = new Map([[m.fullName, { ...m, fields: new Map([["eps", eps]]) }]]);
    expect(() => schemaToJson(broken, new Map(), text)).toThrow(/JSON cannot hold/);
  });

  // `npm test` builds first when dist/ is stale (tools/build-stamp.mjs hashes proto/); the built tables must be those of the current caffe.proto.
  const built = join(ROOT, "dist", "schema", "caffe-schema.json");
  it.skipIf(!existsSync(built))("as built in dist/ are those of the current proto/caffe.proto", () => {
    const json = JSON.parse(readFileSync(built, "utf8")) as SchemaJson;
    expect(json.protoText).toBe(text);
    const back = schemaFromJson(json);
    expect(view(back.messages, back.enums)).toEqual(view(parsed.messages, parsed.enums));
  });
});

describe("loadCaffeSchema in a build", () => {
  const distSchema = join(ROOT, "dist", "schema");
  it.skipIf(!existsSync(join(distSchema, "caffe-schema.json")))("uses the built tables only when they were made from the .proto beside it", async () => {
    const { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { pathToFileURL } = await import("node:url");
    const json = JSON.parse(readFileSync(join(distSchema, "caffe-schema.json"), "utf8")) as SchemaJson;
    // A marker message that only the JSON has: present when the JSON was used.
    json.messages.push(["test.OnlyInJson", []]);
    const load = async (protoText: string): Promise<Set<string>> => {
      const dir = mkdtempSync(join(tmpdir(), "caffe2torch-schema-"));
      for (const f of ["load.js", "load.js.map", "schema-json.js", "schema-json.js.map"]) cpSync(join(distSchema, f), join(dir, "dist", "schema", f));
      cpSync(join(ROOT, "proto"), join(dir, "proto"), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      writeFileSync(join(dir, "dist", "schema", "caffe-schema.json"), JSON.stringify({ ...json, protoText }));
      const mod = (await import(pathToFileURL(join(dir, "dist", "schema", "load.js")).href)) as typeof import("../../src/schema/load.js");
      const names = new Set(mod.loadCaffeSchema().messages.keys());
      rmSync(dir, { recursive: true, force: true });
      return names;
    };
    const fresh = await load(text);
    expect(fresh.has("test.OnlyInJson")).toBe(true);
    const stale = await load(text + "\n// edited after the build\n");
    expect(stale.has("test.OnlyInJson")).toBe(false);
    expect(stale.has("caffe.NetParameter")).toBe(true);
  });
});
