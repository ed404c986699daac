// Tuning a KV v1 mount to options.version=2 upgrades its data: each key becomes version 1.
import { stampAt } from "../../go-format.ts";
import type { MountEntry } from "../../types.ts";
import { newKeyMeta, storeOf } from "./store.ts";

export function upgradeToV2(mount: MountEntry, now: number): void {
  const old = [...mount.storage.entries()] as [string, unknown][];
  const store = storeOf(mount);
  for (const [path, value] of old) {
    if (typeof value !== "object" || value === null || path.startsWith("\u0000")) continue;
    const created = stampAt(now);
    const meta = newKeyMeta();
    meta.currentVersion = 1;
    meta.created = created;
    meta.updated = created;
    meta.versions.set(1, {
      created,
      deletion: null,
      destroyed: false,
      data: value as Record<string, unknown>,
    });
    store.keys.set(path, meta);
    mount.storage.delete(path);
  }
}
