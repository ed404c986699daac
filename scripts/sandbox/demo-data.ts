// What the sandbox writes on the source: a KV v1 mount next to the dev server's KV v2 `secret/`,
// a handful of secrets in both, and one ACL policy. The values are made-up demo values.
import { vaultCall } from "./vault-http.ts";

export interface DemoSecret {
  mount: string;
  version: 1 | 2;
  path: string;
  data: Record<string, string>;
}

export interface DemoPolicy {
  name: string;
  policy: string;
}

/** The KV v1 mount the sandbox adds; `secret/` (KV v2) comes with every dev server. */
export const KV1_MOUNT = "kv";

export const DEMO_SECRETS: readonly DemoSecret[] = [
  { mount: "secret", version: 2, path: "app/db", data: { username: "app", password: "demo-db-password" } },
  { mount: "secret", version: 2, path: "app/api", data: { key: "demo-api-key-1234" } },
  {
    mount: "secret",
    version: 2,
    path: "team-a/payments",
    data: { merchant: "demo", token: "demo-pay-token" },
  },
  {
    mount: KV1_MOUNT,
    version: 1,
    path: "legacy/smtp",
    data: { host: "smtp.example.test", password: "demo-smtp" },
  },
  { mount: KV1_MOUNT, version: 1, path: "legacy/ldap", data: { bind_dn: "cn=demo", password: "demo-ldap" } },
];

export const DEMO_POLICY: DemoPolicy = {
  name: "app-readonly",
  policy: [
    'path "secret/data/app/*" {',
    '  capabilities = ["read"]',
    "}",
    'path "kv/legacy/*" {',
    '  capabilities = ["read", "list"]',
    "}",
    "",
  ].join("\n"),
};

/** Every demo key as Courier's log names it, in the order they are written. */
export const DEMO_KEYS: readonly string[] = [...DEMO_SECRETS, DEMO_POLICY].map((item) => logKey(item));

/** One line saying what gets written: "kv/ mounted (KV v1), 3 secrets in secret/ (KV v2), …". */
export function describeDemo(): string {
  const v2 = DEMO_SECRETS.filter((s) => s.version === 2).length;
  const v1 = DEMO_SECRETS.length - v2;
  return `${KV1_MOUNT}/ mounted (KV v1), ${v2} secrets in secret/ (KV v2), ${v1} in ${KV1_MOUNT}/, policy ${DEMO_POLICY.name}`;
}

/**
 * The key as Courier's log names it.
 * logKey({mount:"secret", path:"app/db"}) → "kv secret/app/db"; logKey({name:"ops"}) → "policy ops"
 */
export function logKey(item: DemoSecret | DemoPolicy): string {
  return "name" in item ? `policy ${item.name}` : `kv ${item.mount}/${item.path}`;
}

/** The write for one item: KV v2 wraps the data in {data}, KV v1 takes the secret as the body. */
export function writeOf(item: DemoSecret | DemoPolicy): { path: string; body: unknown } {
  if ("name" in item) return { path: `sys/policies/acl/${item.name}`, body: { policy: item.policy } };
  if (item.version === 2) return { path: `${item.mount}/data/${item.path}`, body: { data: item.data } };
  return { path: `${item.mount}/${item.path}`, body: item.data };
}

/** Mounts kv/ (KV v1) on the source. */
export async function mountKv1(source: string): Promise<void> {
  await vaultCall(source, "POST", `sys/mounts/${KV1_MOUNT}`, {
    type: "kv",
    description: "KV version 1, added by the sandbox",
    options: { version: "1" },
  });
}

/**
 * Writes every item on the source in order. `writing` hears each key just before its write goes
 * out: Courier may well have synced it before the write's own answer is back.
 */
export async function writeDemoData(source: string, writing: (key: string) => void): Promise<void> {
  for (const item of [...DEMO_SECRETS, DEMO_POLICY]) {
    const { path, body } = writeOf(item);
    writing(logKey(item));
    await vaultCall(source, "POST", path, body);
  }
}
