// Authenticated calls to one Vault: every request gets the token source's current token, and a 403
// is repeated once when the token source has a fresher token (an AppRole token that expired).

import type { TokenSource } from "./token-source.ts";
import { isCleanNotFound, type VaultHttp, type VaultReply, type VaultRequest } from "./vault-http.ts";

export class VaultCaller {
  constructor(
    readonly http: VaultHttp,
    readonly tokens: TokenSource,
  ) {}

  get address(): string {
    return this.http.address;
  }

  /** Any answer comes back; only a missing answer (refused, timeout) throws. */
  async call(request: VaultRequest): Promise<VaultReply> {
    const token = await this.tokens.token();
    const reply = await this.http.send(request, token);
    if (reply.status === 403 && (await this.tokens.afterDenied(token))) {
      return this.http.send(request, await this.tokens.token());
    }
    return reply;
  }

  /** 200 → its body, 204 → undefined; anything else throws a VaultCallError. */
  async expect(request: VaultRequest): Promise<unknown> {
    const reply = await this.call(request);
    if (reply.status === 200 || reply.status === 204) return reply.body;
    throw this.http.failure(request, reply);
  }

  /** Like expect(), but a clean 404 (nothing stored there) → null. */
  async readOrAbsent(request: VaultRequest): Promise<unknown | null> {
    const reply = await this.call(request);
    if (reply.status === 200) return reply.body;
    if (isCleanNotFound(reply)) return null;
    throw this.http.failure(request, reply);
  }

  /** LIST: an empty folder is a clean 404 in Vault → []. */
  async list(request: Omit<VaultRequest, "method" | "list">): Promise<string[]> {
    const full: VaultRequest = { ...request, method: "GET", list: true };
    const body = await this.readOrAbsent(full);
    if (body === null) return [];
    const keys = (body as { data?: { keys?: unknown } }).data?.keys;
    if (!Array.isArray(keys)) throw this.http.malformed(full, { status: 200, body }, "list without keys");
    return keys.map(String);
  }
}
