import { extname } from "node:path";

/**
 * The .safetensors path written beside a Python module: the module's path with its extension
 * replaced, as the emitted module's `WEIGHTS_FILE` computes it
 * (`os.path.splitext(path)[0] + ".safetensors"`: the last dot of the file name, not a leading one).
 */
export function weightsFileFor(pythonPath: string): string {
  const ext = extname(pythonPath);
  return `${ext === "" ? pythonPath : pythonPath.slice(0, -ext.length)}.safetensors`;
}
