/**
 * Copies of Caffe's NetParameter schema whose layer messages lack their `blobs` field, so that
 * decodeMessage skips every BlobProto (reporting it as an unknown field with its offset and
 * length) instead of decoding it. caffemodel.ts decodes only the blobs it needs from there.
 */
import { loadCaffeSchema, type FieldInfo, type MessageInfo } from "../schema/load.js";

/** The `blobs` field of each layer message: LayerParameter 7, V1LayerParameter 6, V0LayerParameter 50. */
const BLOB_FIELDS: Readonly<Record<string, number>> = {
  "caffe.LayerParameter": 7,
  "caffe.V1LayerParameter": 6,
  "caffe.V0LayerParameter": 50,
};

/** Length-delimited, as a BlobProto is on the wire. */
const LENGTH_DELIMITED = 2;

/** Whether an unknown field reported by the lazy decode is a skipped blob. */
export function isSkippedBlobField(messageType: string, fieldNumber: number, wireType: number): boolean {
  return Object.hasOwn(BLOB_FIELDS, messageType) && BLOB_FIELDS[messageType] === fieldNumber && wireType === LENGTH_DELIMITED;
}

/** `info` without field `id`, with the message types of some fields replaced. */
function trimmed(info: MessageInfo, id: number | null, replace: ReadonlyMap<string, MessageInfo>): MessageInfo {
  const copy: MessageInfo = { fullName: info.fullName, fields: new Map(), byId: new Map(), ordered: [] };
  for (const field of info.ordered) {
    if (field.id === id) continue;
    const message = field.message === undefined ? undefined : replace.get(field.message.fullName);
    const f: FieldInfo = message === undefined ? field : { ...field, message };
    copy.fields.set(f.name, f);
    copy.byId.set(f.id, f);
    copy.ordered.push(f);
  }
  return copy;
}

let cached: MessageInfo | undefined;

/** caffe.NetParameter whose `layer`, `layers` and V0 `layers.layer` messages have no `blobs`. */
export function lazyNetInfo(): MessageInfo {
  if (cached) return cached;
  const schema = loadCaffeSchema();
  const none = new Map<string, MessageInfo>();
  const v0 = trimmed(schema.message("caffe.V0LayerParameter"), BLOB_FIELDS["caffe.V0LayerParameter"]!, none);
  const v1 = trimmed(schema.message("caffe.V1LayerParameter"), BLOB_FIELDS["caffe.V1LayerParameter"]!, new Map([[v0.fullName, v0]]));
  const layer = trimmed(schema.message("caffe.LayerParameter"), BLOB_FIELDS["caffe.LayerParameter"]!, none);
  cached = trimmed(schema.message("caffe.NetParameter"), null, new Map([[layer.fullName, layer], [v1.fullName, v1]]));
  return cached;
}
