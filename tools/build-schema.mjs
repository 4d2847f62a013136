// Build step (after tsc): derives the field tables of proto/caffe.proto with protobufjs and
// writes them to dist/schema/caffe-schema.json, where load.ts starts from them instead of
// parsing the .proto in every process. Checks that the tables read back equal to what
// protobufjs gave, so a schema JSON cannot hold changes the build did not mean.
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import protobuf from "protobufjs";
import { buildSchema, CAFFE_PROTO_PATH } from "../dist/schema/load.js";
import { schemaFromJson, schemaToJson } from "../dist/schema/schema-json.js";

const text = readFileSync(CAFFE_PROTO_PATH, "utf8");
const schema = buildSchema(protobuf.parse(text, { keepCase: true }).root);
const json = schemaToJson(schema.messages, schema.enums, text);
const back = schemaFromJson(JSON.parse(JSON.stringify(json)));

/** A comparable view of the tables (parent and type links as names, to avoid cycles). */
const view = (messages, enums) => ({
  messages: [...messages.values()].map((m) => [m.fullName, m.ordered.map((f) => ({ ...f, parent: f.parent.fullName, message: f.message?.fullName, enumInfo: f.enumInfo?.fullName }))]),
  enums: [...enums.values()].map((e) => [e.fullName, [...e.values], [...e.names]]),
});
if (!isDeepStrictEqual(view(back.messages, back.enums), view(schema.messages, schema.enums))) {
  console.error("build-schema: the tables do not survive JSON; not writing them");
  process.exit(1);
}
const out = new URL("../dist/schema/caffe-schema.json", import.meta.url);
writeFileSync(out, JSON.stringify(json) + "\n");
