// Compare-and-apply for one key, over the small SyncVault interface. Plain data in and out, so it
// runs the same on the main thread and inside a Bun Worker.

export { type Aspect, compareStates, type Difference, type Status } from "./compare.ts";
export { type CompareResult, type Comparison, compareKey } from "./compare-key.ts";
export type { KeyState } from "./key-state.ts";
export type { DestinationOutcome, OutcomeError, SyncResult, SyncResultKind } from "./outcome.ts";
export { type Action, planSync, type SkipReason } from "./plan.ts";
export { syncKey } from "./sync-key.ts";
export type { SyncOptions, SyncVault } from "./vault-port.ts";
