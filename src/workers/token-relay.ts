// One token per Vault, owned by the main thread and relayed to the sync workers. A worker never
// logs in or renews: it asks the main thread for the token when it has none, is sent each new
// one unasked, and after a 403 with the token it holds asks the main thread to judge it. The main
// thread's token source runs one login at a time and backs off after a failed one, so however
// many workers and syncs meet an expired token at once, the Vault sees one login.
//
// Vaults are numbered as the sync worker's init lists them: 0 the source, then each destination.

import type { ErrorCode } from "../errors.ts";
import { CourierError, messageOf } from "../errors.ts";
import { SyncError } from "../sync/state.ts";
import type { TokenSource } from "../vault/auth.ts";

/** A worker's question: the token for a Vault, or (with `denied`) whether a better one exists. */
export interface TokenQuestion {
  vault: number;
  /** The token a 403 came back for. */
  denied?: string;
}

/** Plain data: the token, or why there is none (a login that failed, with what to do). */
export type TokenAnswer = { token: string } | { error: { code: ErrorCode; message: string } };

/** Sent to every worker when the main thread holds a new token for a Vault. */
export interface TokenUpdate {
  vault: number;
  token: string;
}

/** The main thread's side: answers workers' questions from `tokens` and tells them of new tokens. */
export function relayTokens(
  tokens: readonly TokenSource[],
  broadcast: (update: TokenUpdate) => void,
): { answer(question: unknown): Promise<TokenAnswer>; stop(): void } {
  const stops = tokens.map((source, vault) => source.onChange?.((token) => broadcast({ vault, token })));
  return {
    async answer(question) {
      const { vault, denied } = question as TokenQuestion;
      const source = tokens[vault];
      if (!source) return { error: { code: "INTERNAL", message: `no Vault numbered ${vault}` } };
      try {
        if (denied !== undefined) await source.afterDenied(denied);
        return { token: await source.token() };
      } catch (error) {
        const code = error instanceof CourierError ? error.code : "INTERNAL";
        return { error: { code, message: messageOf(error) } };
      }
    },
    stop() {
      for (const stop of stops) stop?.();
    },
  };
}

/** A worker's side: the token the main thread holds for one Vault. */
export class RelayedToken implements TokenSource {
  #current: string | undefined;
  /** Questions on their way, by the denied token ("" for none): the syncs waiting share one. */
  #asking = new Map<string, Promise<string>>();

  constructor(
    private readonly vault: number,
    private readonly ask: (question: TokenQuestion) => Promise<unknown>,
  ) {}

  /** A new token from the main thread. */
  update(token: string): void {
    this.#current = token;
  }

  async token(): Promise<string> {
    return this.#current ?? this.#question();
  }

  async afterDenied(denied: string): Promise<boolean> {
    // The main thread has replaced the token since this call started: use the new one.
    if (this.#current !== undefined && this.#current !== denied) return true;
    return (await this.#question(denied)) !== denied;
  }

  #question(denied?: string): Promise<string> {
    const key = denied ?? "";
    let asking = this.#asking.get(key);
    if (!asking) {
      asking = this.#askMain(denied).finally(() => this.#asking.delete(key));
      this.#asking.set(key, asking);
    }
    return asking;
  }

  async #askMain(denied: string | undefined): Promise<string> {
    const question: TokenQuestion =
      denied === undefined ? { vault: this.vault } : { vault: this.vault, denied };
    const answer = (await this.ask(question)) as TokenAnswer | undefined;
    if (answer && "token" in answer) {
      this.#current = answer.token;
      return answer.token;
    }
    // No token to be had now (a login that failed and waits to be tried again): drop the dead
    // one, so the next sync asks again instead of sending it, and let the sync retry later.
    if (denied !== undefined && this.#current === denied) this.#current = undefined;
    const error = answer?.error ?? { code: "INTERNAL" as const, message: "the main thread gave no token" };
    throw new SyncError(error.code, error.message, true);
  }
}
