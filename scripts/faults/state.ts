// Everything a Vault holds that Courier replicates, read through the API as a user would: KV v2
// under secret/ (each key's current data, or "deleted" when its latest version is deleted or
// destroyed), KV v1 under kv1/, and every ACL policy but root and default. Comparing the source's
// with each destination's says whether anything was lost, wrongly deleted or left behind.
import { encodePath, type VaultApi } from "../../test/support/vault-api.ts";

export type State = Map<string, string>;

export async function readState(vault: VaultApi): Promise<State> {
  const state: State = new Map();
  for (const key of await listAll(vault, "secret/metadata/")) {
    const reply = await vault.call("GET", `secret/data/${encodePath(key)}`);
    if (reply.status === 200) state.set(`kv2 ${key}`, stable(reply.body.data.data));
    else if (reply.status === 404) state.set(`kv2 ${key}`, "deleted");
    else throw new Error(`reading secret/${key}: ${reply.status}`);
  }
  for (const key of await listAll(vault, "kv1/")) {
    const reply = await vault.call("GET", `kv1/${encodePath(key)}`);
    if (reply.status !== 200) throw new Error(`reading kv1/${key}: ${reply.status}`);
    state.set(`kv1 ${key}`, stable(reply.body.data));
  }
  const policies = await vault.must("GET", "sys/policies/acl?list=true");
  for (const name of policies.body.data.keys as string[]) {
    if (name === "root" || name === "default") continue;
    state.set(`policy ${name}`, (await vault.must("GET", `sys/policies/acl/${name}`)).body.data.policy);
  }
  return state;
}

export interface StateDiff {
  /** On the source, not on the destination (lost, or wrongly deleted). */
  missing: number;
  /** On the destination, not on the source (a delete that never arrived). */
  extra: number;
  differs: number;
  /** A few of the keys, for the report. */
  examples: string[];
}

export function compareStates(source: State, destination: State): StateDiff {
  const diff: StateDiff = { missing: 0, extra: 0, differs: 0, examples: [] };
  const note = (what: string) => {
    if (diff.examples.length < 5) diff.examples.push(what);
  };
  for (const [key, value] of source) {
    const there = destination.get(key);
    if (there === undefined) {
      diff.missing++;
      note(`missing ${key}`);
    } else if (there !== value) {
      diff.differs++;
      note(`differs ${key}`);
    }
  }
  for (const key of destination.keys()) {
    if (!source.has(key)) {
      diff.extra++;
      note(`extra ${key}`);
    }
  }
  return diff;
}

/** Every key under a KV folder, recursively ("secret/metadata/" → ["load/k1", …]). */
async function listAll(vault: VaultApi, base: string, folder = ""): Promise<string[]> {
  const reply = await vault.call("GET", `${base}${encodePath(folder)}?list=true`);
  if (reply.status === 404) return [];
  if (reply.status !== 200) throw new Error(`listing ${base}${folder}: ${reply.status}`);
  const out: string[] = [];
  for (const name of reply.body.data.keys as string[]) {
    if (name.endsWith("/")) out.push(...(await listAll(vault, base, folder + name)));
    else out.push(folder + name);
  }
  return out;
}

/** JSON with sorted keys, so equal data compares equal. */
function stable(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(record[k])}`)
    .join(",")}}`;
}
