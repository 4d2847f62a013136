/**
 * A vitest setupFile: before and after every test, let the worker's event loop take one full turn.
 *
 * Why: vitest's worker reports progress to the main process over an RPC (birpc) and arms a 60 s
 * timer for each call's reply (`[vitest-worker]: Timeout calling "onTaskUpdate"`). Between tests
 * vitest only chains promises, which run as microtasks, so while the tests of a file stay
 * synchronous — and most CLI tests block in spawnSync — the loop never reaches its poll phase and
 * the reply waits unread in the pipe. On a loaded machine a file's synchronous run outlasted the
 * 60 s, and because a loop turn runs expired timers before it polls, the timer won even though the
 * reply had long arrived: every test passed and the run still exited 1.
 *
 * Awaiting setImmediate twice guarantees a loop turn: from the check phase the first immediate
 * runs in the next turn, and from any other phase the second one does; each turn polls for I/O
 * (without blocking, as immediates are pending), so replies are read at every test boundary and
 * the timer can only fire if a single test blocks for 60 s. node:timers/promises, not the global,
 * so that a test's vi.useFakeTimers() cannot stop it.
 */
import { setImmediate } from "node:timers/promises";
import { afterEach, beforeEach } from "vitest";

async function yieldToIo(): Promise<void> {
  await setImmediate();
  await setImmediate();
}

beforeEach(yieldToIo);
afterEach(yieldToIo);
