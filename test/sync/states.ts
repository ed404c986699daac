// Key states for table tests, built the way readKeyState builds them from a Vault's answers.

import type { CurrentVersion, KeyState } from "../../src/sync/state.ts";
import type { Kv2Settings } from "../../src/vault/kv.ts";
import { DEFAULT_KV2_SETTINGS } from "../../src/vault/kv.ts";

export const v1 = (data: Record<string, unknown> | null): KeyState => ({ kind: "kv1", data });
export const policy = (text: string | null): KeyState => ({ kind: "policy", text });
export const v2Absent: KeyState = { kind: "kv2", metadata: null, current: { state: "none", version: 0 } };

/** A KV v2 key whose current version is `version` in state `current`. */
export function v2(current: CurrentVersion, settings: Partial<Kv2Settings> = {}): KeyState {
  return {
    kind: "kv2",
    metadata: {
      current_version: current.version,
      oldest_version: current.version > 0 ? 1 : 0,
      settings: { ...DEFAULT_KV2_SETTINGS, ...settings },
      versions: {},
    },
    current,
  };
}

export const live = (version: number, data: Record<string, unknown>): CurrentVersion => ({
  state: "live",
  version,
  data,
});
export const deleted = (version: number): CurrentVersion => ({ state: "deleted", version });
export const destroyed = (version: number): CurrentVersion => ({ state: "destroyed", version });
export const none: CurrentVersion = { state: "none", version: 0 };
