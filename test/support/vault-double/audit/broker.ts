// The audit broker: the enabled devices, and Vault's rule that a request only proceeds when at
// least one device recorded its entry.
import { DoubleHttpError } from "../errors.ts";
import type { LogicalRequest, LogicalResponse, Namespace, TokenEntry } from "../types.ts";
import { createDevice, type DeviceSetup } from "./devices/create-device.ts";
import { encodeEntry } from "./encode.ts";
import { type FormatPolicy, requestEntry, responseEntry, testEntry } from "./entry.ts";
import { type Hasher, hasher } from "./hmac.ts";
import { multiErrorText } from "./multierror.ts";

export interface AuditDeviceConfig {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

interface Enabled extends DeviceSetup {
  path: string;
  config: AuditDeviceConfig;
}

const ROOT_NAMESPACE: Namespace = { id: "root", path: "" };

export class AuditBroker {
  readonly #hash: Hasher;
  readonly #now: () => number;
  readonly #lookupToken: (id: string) => TokenEntry | undefined;
  readonly #devices = new Map<string, Enabled>();

  /** `lookupToken` lets response entries name the display_name of a token a response hands out. */
  constructor(opts: {
    hmacKey: Uint8Array;
    now: () => number;
    lookupToken?: (id: string) => TokenEntry | undefined;
  }) {
    this.#hash = hasher(opts.hmacKey);
    this.#now = opts.now;
    this.#lookupToken = opts.lookupToken ?? (() => undefined);
  }

  hasDevices(): boolean {
    return this.#devices.size > 0;
  }

  /** GET sys/audit's body: keyed "<path>/" → {type, description, options, local, path}. */
  list(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [path, d] of this.#devices) {
      out[path] = {
        type: d.config.type,
        description: d.config.description ?? "",
        options: d.config.options ?? {},
        local: d.config.local ?? false,
        path,
      };
    }
    return out;
  }

  /** PUT sys/audit/<path>: opens the device and writes Vault's test entry before it counts. */
  async enable(path: string, cfg: AuditDeviceConfig, namespace: Namespace = ROOT_NAMESPACE): Promise<void> {
    const key = path.endsWith("/") ? path : `${path}/`;
    if (key === "/") throw new DoubleHttpError(400, "backend path must be specified");
    for (const existing of this.#devices.keys()) {
      if (existing.startsWith(key) || key.startsWith(existing))
        throw new DoubleHttpError(400, "path already in use");
    }
    const options = cfg.options ?? {};
    let setup: DeviceSetup;
    try {
      setup = createDevice(cfg.type, options);
    } catch (err) {
      throw new DoubleHttpError(400, (err as Error).message);
    }
    if (options.skip_test !== "true") {
      const probe = testEntry(crypto.randomUUID(), namespace, this.#now());
      try {
        await setup.device.write(encodeEntry(probe, setup.format, setup.prefix));
      } catch (err) {
        await setup.device.close();
        throw new DoubleHttpError(400, `audit backend failed test message: ${(err as Error).message}`);
      }
    }
    this.#devices.set(key, { ...setup, path: key, config: { ...cfg, options } });
  }

  /** DELETE sys/audit/<path>; a path with no device is not an error. */
  async disable(path: string): Promise<void> {
    const key = path.endsWith("/") ? path : `${path}/`;
    const d = this.#devices.get(key);
    if (!d) return;
    this.#devices.delete(key);
    await d.device.close();
  }

  /** Writes the request entry everywhere. False when devices exist and none recorded it. */
  logRequest(req: LogicalRequest, error?: string): Promise<boolean> {
    if (this.#devices.size === 0) return Promise.resolve(true);
    const time = this.#now();
    return this.#broadcast((policy) => requestEntry(req, error, time, this.#hash, policy));
  }

  /**
   * Writes the response entry everywhere. `error` is written as given; without it a response
   * carrying a core error (resp.error) is written as go-multierror prints it, as Vault does.
   */
  logResponse(req: LogicalRequest, resp: LogicalResponse, error?: string): Promise<boolean> {
    if (this.#devices.size === 0) return Promise.resolve(true);
    const time = this.#now();
    const text = error ?? (resp.error ? multiErrorText([resp.error]) : undefined);
    return this.#broadcast((policy) =>
      responseEntry(req, resp, text, time, this.#hash, policy, this.#lookupToken),
    );
  }

  /** "hmac-sha256:<hex>" of a value with this server's key (sys/audit-hash). */
  hash(value: string): string {
    return this.#hash(value);
  }

  async close(): Promise<void> {
    const devices = [...this.#devices.values()];
    this.#devices.clear();
    await Promise.allSettled(devices.map((d) => d.device.close()));
  }

  async #broadcast(build: (policy: FormatPolicy) => Record<string, unknown>): Promise<boolean> {
    // Devices with the same hashing options share one entry object; encoding is per device.
    const entries = new Map<string, Record<string, unknown>>();
    const writes = [...this.#devices.values()].map((d) => {
      const policyKey = `${d.policy.raw}/${d.policy.hmacAccessor}/${d.policy.elideListResponses}`;
      let entry = entries.get(policyKey);
      if (!entry) {
        entry = build(d.policy);
        entries.set(policyKey, entry);
      }
      return d.device.write(encodeEntry(entry, d.format, d.prefix));
    });
    const results = await Promise.allSettled(writes);
    return results.some((r) => r.status === "fulfilled");
  }
}
