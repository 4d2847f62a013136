import type { CliIo } from "./io-types.js";

/**
 * `io` whose text reads are kept, for a command that runs another on the same files (`verify --net
 * --html` then `report`, `report --verify` then `verify --net`): the second reads what the first
 * did — standard input ("-") can be read only once.
 */
export function keepingTextReads(io: CliIo): CliIo {
  // Without readSource, readers fall back to readFile, which keeps the text.
  const { readSource: _bypasses, ...rest } = io;
  void _bypasses;
  const texts = new Map<string, string>();
  return {
    ...rest,
    readFile(path) {
      let text = texts.get(path);
      if (text === undefined) texts.set(path, (text = io.readFile(path)));
      return text;
    },
  };
}
