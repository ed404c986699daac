// A small HTTP client for tests: what a user with curl would send to a Vault (or the double), and
// what they would read back. No Courier code on this side, so tests check Courier from outside.

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read Vault's JSON by field
  body: any;
}

export interface CallOptions {
  namespace?: string;
  token?: string;
  headers?: Record<string, string>;
}

export class VaultApi {
  constructor(
    readonly address: string,
    readonly token: string,
    readonly namespace = "",
  ) {}

  /** The same Vault seen from inside a namespace ("team-a/"). */
  in(namespace: string): VaultApi {
    return new VaultApi(this.address, this.token, namespace);
  }

  /** The same Vault with another token. */
  as(token: string): VaultApi {
    return new VaultApi(this.address, token, this.namespace);
  }

  /** call("PUT", "secret/data/app", {data: {a: "1"}}) → {status: 200, body: {data: {version: 1, …}}} */
  async call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { "X-Vault-Token": options.token ?? this.token };
    const namespace = options.namespace ?? this.namespace;
    if (namespace !== "") headers["X-Vault-Namespace"] = namespace;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${this.address}/v1/${path}`, {
      method,
      headers: { ...headers, ...options.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  /** Like call, but a status other than 2xx throws with Vault's errors: for test set-up. */
  async must(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
    const reply = await this.call(method, path, body, options);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    }
    return reply;
  }

  /** A KV v2 key's current data, or null when there is none to read (absent, deleted, destroyed). */
  async kv2Data(mount: string, path: string): Promise<Record<string, unknown> | null> {
    const reply = await this.call("GET", `${mount}/data/${encodePath(path)}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw new Error(`read ${mount}/data/${path}: ${reply.status}`);
    return reply.body.data.data;
  }

  /** A KV v2 key's metadata (current_version, versions, settings), or null when it has none. */
  // biome-ignore lint/suspicious/noExplicitAny: Vault's metadata object, read by field
  async kv2Metadata(mount: string, path: string): Promise<any | null> {
    const reply = await this.call("GET", `${mount}/metadata/${encodePath(path)}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw new Error(`read ${mount}/metadata/${path}: ${reply.status}`);
    return reply.body.data;
  }

  /** A KV v1 secret, or null when there is none. */
  async kv1Data(mount: string, path: string): Promise<Record<string, unknown> | null> {
    const reply = await this.call("GET", `${mount}/${encodePath(path)}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw new Error(`read ${mount}/${path}: ${reply.status}`);
    return reply.body.data;
  }

  /** An ACL policy's text, or null when there is no such policy. */
  async policy(name: string): Promise<string | null> {
    const reply = await this.call("GET", `sys/policies/acl/${encodePath(name)}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw new Error(`read policy ${name}: ${reply.status}`);
    return reply.body.data.policy;
  }

  /** Enables a secrets engine: mount("kv1", "kv", {version: "1"}). */
  async mount(
    path: string,
    type: string,
    options: Record<string, string> = {},
    description = "",
  ): Promise<void> {
    await this.must("POST", `sys/mounts/${path}`, { type, options, description });
  }

  /** The namespace's mount table, keyed "secret/". */
  // biome-ignore lint/suspicious/noExplicitAny: Vault's mount table, read by field
  async mounts(): Promise<Record<string, any>> {
    return (await this.must("GET", "sys/mounts")).body.data;
  }

  /** The double's fault rules (see the double's README): [{kind: "status", status: 503, path: "secret/*"}]. */
  async faults(rules: unknown[]): Promise<void> {
    const response = await fetch(`${this.address}/_double/faults`, {
      method: "POST",
      body: JSON.stringify(rules),
    });
    if (response.status !== 200) throw new Error(`setting faults answered ${response.status}`);
  }

  /** Clears every fault rule of the double. */
  async clearFaults(): Promise<void> {
    await fetch(`${this.address}/_double/faults`, { method: "DELETE" });
  }
}

/** Each segment percent-encoded, so "?" or "#" in a key name stay in the path: "a b/q?" → "a%20b/q%3F" */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
