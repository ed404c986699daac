// Carries out a plan on one destination, one call at a time, noting each call that succeeded so an
// outcome can say how far it got when a later call fails.

import type { SyncKey } from "../sync-key.ts";
import { type KeyState, refOf } from "./key-state.ts";
import type { Action } from "./plan.ts";
import type { SyncVault } from "./vault-port.ts";

/** What was done, by name: a plan's ops plus "create-mount" and "kv2-undelete". */
export type Done = Exclude<Action["op"], "skip" | "kv2-restore"> | "create-mount" | "kv2-undelete";

export async function applyPlan(
  destination: SyncVault,
  key: SyncKey,
  source: KeyState,
  actions: Action[],
  done: Done[],
): Promise<void> {
  const ref = refOf(key);
  for (const action of actions) {
    switch (action.op) {
      case "skip":
        break;
      case "kv1-write":
        if (source.kind === "kv1" && source.data) await destination.kv1.write(ref, source.data);
        done.push(action.op);
        break;
      case "kv1-delete":
        await destination.kv1.delete(ref);
        done.push(action.op);
        break;
      case "kv2-write-metadata":
        if (source.kind === "kv2" && source.metadata) {
          await destination.kv2.writeMetadata(ref, source.metadata.settings);
        }
        done.push(action.op);
        break;
      case "kv2-write":
        await destination.kv2.writeData(ref, liveData(source), action.cas);
        done.push(action.op);
        break;
      case "kv2-restore":
        await restore(destination, key, source, action.version, done);
        break;
      case "kv2-soft-delete":
        await destination.kv2.deleteVersions(ref, [action.version]);
        done.push(action.op);
        break;
      case "kv2-destroy":
        await destination.kv2.destroyVersions(ref, [action.version]);
        done.push(action.op);
        break;
      case "kv2-delete-metadata":
        await destination.kv2.deleteMetadata(ref);
        done.push(action.op);
        break;
      case "policy-write":
        if (source.kind === "policy" && source.text !== null) {
          await destination.policies.write(key.namespace, key.path, source.text);
        }
        done.push(action.op);
        break;
      case "policy-delete":
        await destination.policies.delete(key.namespace, key.path);
        done.push(action.op);
        break;
    }
  }
}

/**
 * The source's current version is live where the destination's is soft-deleted. Undeleting is
 * right when the deleted data is the source's (an undelete on the source): no new version. The
 * deleted data cannot be read before, so undelete, look, and if it is not the source's, put the
 * version back as it was and write the source's data as a new version.
 */
async function restore(
  destination: SyncVault,
  key: SyncKey,
  source: KeyState,
  version: number,
  done: Done[],
) {
  const ref = refOf(key);
  const data = liveData(source);
  await destination.kv2.undeleteVersions(ref, [version]);
  done.push("kv2-undelete");
  const read = await destination.kv2.readData(ref, version);
  if (read.state === "live" && Bun.deepEquals(read.data, data)) return;
  await destination.kv2.deleteVersions(ref, [version]);
  done.push("kv2-soft-delete");
  await destination.kv2.writeData(ref, data, version);
  done.push("kv2-write");
}

function liveData(source: KeyState): Record<string, unknown> {
  if (source.kind === "kv2" && source.current.state === "live") return source.current.data;
  throw new Error("a KV v2 write was planned for a source without live data");
}
