// What `courier setup` says and does, each thing noted here first: this is its dry run. Every
// Vault call goes through a SetupVault and every file through Journal.file; in a dry run only the
// calls that change nothing are sent, and the rest are printed as "would send" / "would write".
// Request bodies are printed only for the audit device calls, which carry no secret.
import type { VaultTarget } from "../config/schema.ts";
import { ManagedToken, staticToken, type TokenSource } from "../vault/auth.ts";
import type { VaultSettings } from "../vault/client.ts";
import { VaultClient } from "../vault/client.ts";
import type { VaultReply, VaultRequest } from "../vault/http.ts";

export interface SetupOutput {
  /** The report, for stdout. */
  out(text: string): void;
  /** Warnings, for stderr. */
  err(text: string): void;
}

export const PROCESS_OUTPUT: SetupOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

interface NotedCall {
  method: string;
  /** Full URL, without query: "http://127.0.0.1:8200/v1/sys/audit/courier". */
  url: string;
  namespace: string;
  /** Printed after the URL; only for bodies known to hold no secret. */
  body?: unknown;
}

export class Journal {
  constructor(
    readonly dryRun: boolean,
    private readonly output: SetupOutput,
  ) {
    if (dryRun) this.say('dry run: nothing will be changed; lines starting with "would" are not done');
  }

  say(line: string): void {
    this.output.out(`${line}\n`);
  }

  warn(line: string): void {
    this.output.err(`courier: warning: ${line}\n`);
  }

  /** A call that reads; sent in a dry run too, and listed there. */
  read(call: NotedCall): void {
    if (this.dryRun) this.say(formatCall(call));
  }

  /** A call that changes the Vault: true when it may be sent. */
  change(call: NotedCall): boolean {
    if (this.dryRun) this.say(`would send ${formatCall(call)}`);
    return !this.dryRun;
  }

  /** A file to write: true when it may be written. */
  file(path: string, mode: number): boolean {
    if (this.dryRun) this.say(`would write ${path} (mode ${mode.toString(8).padStart(4, "0")})`);
    return !this.dryRun;
  }
}

/**
 * One Vault as `courier setup` talks to it: every call goes through the journal. Answers come
 * back whole (status and body); only a missing answer (refused, timeout, TLS) throws, as a
 * VaultCallError.
 */
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

/**
 * formatCall({method:"PUT",url:"http://v:8200/v1/sys/audit/courier",namespace:"",body:{type:"socket"}})
 *   → 'PUT http://v:8200/v1/sys/audit/courier {"type":"socket"}'
 */
function formatCall(call: NotedCall): string {
  const namespace = call.namespace ? ` (namespace ${call.namespace})` : "";
  const body = call.body === undefined ? "" : ` ${JSON.stringify(call.body)}`;
  return `${call.method} ${call.url}${namespace}${body}`;
}
