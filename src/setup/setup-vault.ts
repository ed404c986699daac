// One Vault as `courier setup` talks to it: every call goes through the journal, so a dry run
// lists it and sends only what changes nothing. Answers come back whole (status and body); only
// a missing answer (refused, timeout, TLS) throws, as a VaultCallError.
import type { VaultTarget } from "../config/schema.ts";
import { ManagedToken, staticToken, type TokenSource } from "../vault/auth.ts";
import type { VaultSettings } from "../vault/client.ts";
import { VaultClient } from "../vault/client.ts";
import type { VaultReply, VaultRequest } from "../vault/http.ts";
import type { Journal, NotedCall } from "./journal.ts";

export class SetupVault {
  readonly client: VaultClient;
  readonly namespace: string;

  constructor(
    /** "source", "destination 1", … */
    readonly label: string,
    settings: VaultSettings,
    target: Pick<VaultTarget, "namespace">,
    private readonly journal: Journal,
  ) {
    this.namespace = target.namespace;
    this.client = new VaultClient(settings, { tokens: this.tokensFor(settings) });
  }

  /** How lines name this Vault: "source http://127.0.0.1:8200", with its namespace when it has one. */
  get name(): string {
    const namespace = this.namespace ? ` (namespace ${this.namespace})` : "";
    return `${this.label} ${this.client.address}${namespace}`;
  }

  /** GET sys/health, without a token. */
  async health(): Promise<VaultReply> {
    this.journal.read(this.noted({ method: "GET", path: "sys/health" }));
    return this.client.health();
  }

  /** A call that changes nothing (in this Vault's namespace unless it names one); sent in a dry run too. */
  async read(request: VaultRequest): Promise<VaultReply> {
    const full = { ...request, namespace: request.namespace ?? this.namespace };
    await this.client.tokens.token(); // an AppRole login comes first, and is listed first
    this.journal.read(this.noted(full));
    return this.client.caller.call(full);
  }

  /** A call that changes the Vault; null in a dry run, where it is only printed. */
  async change(request: VaultRequest, showBody = false): Promise<VaultReply | null> {
    const full = { ...request, namespace: request.namespace ?? this.namespace };
    const noted = this.noted(full);
    if (showBody) noted.body = request.body;
    await this.client.tokens.token();
    if (!this.journal.change(noted)) return null;
    return this.client.caller.call(full);
  }

  close(): void {
    this.client.close();
  }

  private noted(request: Pick<VaultRequest, "method" | "path" | "list"> & { namespace?: string }): NotedCall {
    const method = request.list ? "LIST" : request.method;
    return { method, url: `${this.client.address}/v1/${request.path}`, namespace: request.namespace ?? "" };
  }

  /** A token as given is used as is; an AppRole login is itself a call, so it is noted too. */
  private tokensFor(settings: VaultSettings): TokenSource {
    const auth = settings.auth;
    if (auth.method === "token") return staticToken(auth.token);
    const url = `${settings.address.replace(/\/+$/, "")}/v1/auth/${(auth.mount ?? "approle").replace(/^\/+|\/+$/g, "")}/login`;
    const noted = { method: "POST", url, namespace: auth.namespace ?? "" };
    let managed: ManagedToken | undefined;
    return {
      token: () => {
        if (!managed) {
          this.journal.read(noted);
          managed = new ManagedToken(this.client.http, auth);
        }
        return managed.token();
      },
      afterDenied: (denied) => managed?.afterDenied(denied) ?? Promise.resolve(false),
    };
  }
}
