/**
 * What a generated Python module may do while it is imported, built and run (the audit-hook
 * events that test/emit/check_inert.py and test/export/check_inert_export.py record); the
 * hostile-name tests require that it does nothing else.
 */
import { dirname, join } from "node:path";

/** One recorded audit event. */
export interface InertEvent {
  event: string;
  path?: string;
  mode?: string;
  module?: string;
  filename?: string;
  args?: string[];
}

/**
 * Modules the generated file may import while loading and building: the stdlib modules it names,
 * torch, and for weights the safetensors package (tried first) or numpy.
 */
export function allowedImport(module: string): boolean {
  const top = module.split(".")[0] ?? "";
  return ["errno", "os", "json", "struct", "math", "sys", "torch", "safetensors", "numpy"].includes(top);
}

/**
 * The events a generated module may cause: compiling and executing itself, opening its own
 * source (and bytecode cache) and the weights file, imports of the modules it names, and
 * os.stat-like look-ups of the weights file. Anything else (os.system, subprocess, exec of other
 * code, writes) is a finding. `pythonDirs`: where Python and torch live (torch may lazily read
 * its own files, read-only).
 */
export function disallowedEvents(events: readonly InertEvent[], pythonDirs: readonly string[], modulePath: string, weightsPath: string | null): InertEvent[] {
  const here = dirname(modulePath);
  return events.filter((e) => {
    switch (e.event) {
      case "compile":
      case "exec":
        return e.filename !== modulePath;
      case "open":
        if (e.path === modulePath || (e.path ?? "").startsWith(join(here, "__pycache__"))) return (e.mode ?? "r").includes("w");
        if (weightsPath !== null && e.path === weightsPath) return /[wax+]/.test(e.mode ?? "");
        return /[wax+]/.test(e.mode ?? "") || !pythonDirs.some((d) => (e.path ?? "").startsWith(`${d}/`));
      case "import":
        return !allowedImport(e.module ?? "");
      default:
        // Frame inspection by torch and warnings is harmless; everything else watched is not.
        return !["sys._getframe", "sys._getframemodulename"].includes(e.event);
    }
  });
}
