/**
 * A test schema with every protobuf scalar type, including the kinds caffe.proto itself does not
 * use (sint, fixed, uint64), packed repeated fields and nesting: shared by the encoder, streaming
 * encoder and scalar-conversion tests. Messages are in package `t` (`t.All`).
 */
export const ALL_TYPES_PROTO = `syntax = "proto2";
package t;
enum E { NEG = -3; ZERO = 0; BIG = 2147483647; }
message All {
  optional int32 i32 = 1; optional int64 i64 = 2; optional uint32 u32 = 3; optional uint64 u64 = 4;
  optional sint32 s32 = 5; optional sint64 s64 = 6; optional fixed32 f32 = 7; optional fixed64 f64 = 8;
  optional sfixed32 sf32 = 9; optional sfixed64 sf64 = 10; optional bool b = 11; optional E e = 12;
  optional float fl = 13; optional double db = 14; optional string s = 15; optional bytes by = 16;
  repeated sint64 rs64 = 17 [packed = true]; repeated E re = 18 [packed = true];
  repeated fixed64 rf64 = 19 [packed = true]; repeated uint64 ru64 = 20;
  optional All child = 2000; repeated int32 ri32 = 536870911 [packed = true];
  repeated All kids = 21;
}`;
