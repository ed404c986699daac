// The schema read back as a flat list of settings: the one table that flags, environment
// names, the file reader, redaction and the reference docs are all derived from.
import * as v from "valibot";
import { ConfigSchema } from "./schema.ts";
import type { SettingMeta } from "./values.ts";

export interface Setting {
  /** Dotted key, as in the file and the flag: "vault.source.address". */
  key: string;
  meta: SettingMeta;
  description: string;
  /** The default as a user would write it ("15m"); a function when computed at start. */
  fallback: unknown;
  /** Flag name without dashes; undefined for settings only the file can say. */
  flag?: string;
  /** Environment variables that set it, strongest first: COURIER_<KEY>, then Vault's own. */
  env: string[];
  /** For a list of objects: the settings of one item, keyed relative to the item. */
  items?: Setting[];
  schema: v.GenericSchema;
}

type AnySchema = v.GenericSchema & {
  type: string;
  entries?: Record<string, AnySchema>;
  wrapped?: AnySchema;
  item?: AnySchema;
  default?: unknown;
};

/** "vault.source.token" → "COURIER_VAULT_SOURCE_TOKEN" */
export function envName(key: string): string {
  return `COURIER_${key.toUpperCase().replaceAll(".", "_")}`;
}

/** Every setting under `schema`, in schema order. */
export function collectSettings(schema: AnySchema, prefix = ""): Setting[] {
  const meta = v.getMetadata(schema as never) as Partial<SettingMeta>;
  if (meta.kind !== undefined) return [describeLeaf(schema, prefix, meta as SettingMeta)];
  const inner = schema.type === "optional" ? (schema.wrapped as AnySchema) : schema;
  const out: Setting[] = [];
  for (const [name, child] of Object.entries(inner.entries ?? {})) {
    out.push(...collectSettings(child, prefix === "" ? name : `${prefix}.${name}`));
  }
  return out;
}

function describeLeaf(schema: AnySchema, key: string, meta: SettingMeta): Setting {
  const setting: Setting = {
    key,
    meta,
    description: v.getDescription(schema as never) ?? "",
    fallback: schema.default,
    env: meta.fileOnly ? [] : [envName(key), ...(meta.env ?? [])],
    schema,
  };
  if (!meta.fileOnly) setting.flag = key;
  if (meta.kind === "entries") {
    const array = schema.wrapped as AnySchema;
    setting.items = collectSettings(array.item as AnySchema).map((item) => ({
      ...item,
      env: [],
      flag: undefined,
    }));
  }
  return setting;
}

export const SETTINGS: readonly Setting[] = collectSettings(ConfigSchema as unknown as AnySchema);
export const SETTINGS_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));

/** Every group name that holds settings: "vault", "vault.source", "vault.source.tls", … */
export const SECTIONS: ReadonlySet<string> = new Set(
  SETTINGS.flatMap((s) => {
    const parts = s.key.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

/** Whether a setting's value must never be shown. */
export function isSecret(setting: Pick<Setting, "meta">): boolean {
  return setting.meta.kind === "secret" || setting.meta.kind === "secret-list";
}

/** The default as docs show it: "15m", "true", "(empty)", or the stated computed default. */
export function describeDefault(setting: Setting): string {
  if (setting.meta.docDefault !== undefined) return setting.meta.docDefault;
  const value = setting.fallback;
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(",");
  if (value === "" || value === undefined) return "(empty)";
  return String(value);
}
