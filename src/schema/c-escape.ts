/**
 * String escaping as protoc's text printer does it: protobuf's CEscape (strutil.cc), applied to
 * the UTF-8 bytes of string and bytes fields alike (TextFormat's default printer does not use
 * the UTF-8-safe variant, so "é" prints as "\303\251").
 */

/** The printed form of each byte value. */
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => {
  switch (b) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x22:
      return '\\"';
    case 0x27:
      return "\\'";
    case 0x5c:
      return "\\\\";
  }
  // Not isprint() in the C locale (controls, DEL, every byte >= 0x80): three-digit octal.
  if (b < 0x20 || b >= 0x7f) return "\\" + b.toString(8).padStart(3, "0");
  return String.fromCharCode(b);
});

const encoder = new TextEncoder();

/** CEscape of a string's UTF-8 bytes, or of raw bytes. */
export function cEscape(value: string | Uint8Array): string {
  if (typeof value === "string") {
    let plain = true;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x27 || c === 0x5c) {
        plain = false;
        break;
      }
    }
    // Printable ASCII without quotes or backslashes (nearly every name in a net) prints as is.
    if (plain) return value;
    value = encoder.encode(value);
  }
  let out = "";
  for (let i = 0; i < value.length; i++) out += ESCAPED[value[i]!]!;
  return out;
}
