/**
 * vitest globalSetup: runs once in vitest's main process before any test file. Probes PyTorch
 * once for the whole run (see torch-probe.ts); python.ts reads the answer with inject("torch").
 */
import type { TestProject } from "vitest/node";
import { probeTorch, type TorchAvailability } from "./torch-probe.js";

declare module "vitest" {
  export interface ProvidedContext {
    torch: TorchAvailability;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("torch", await probeTorch());
}
