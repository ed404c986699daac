// What every part of one double shares: its state, token store, audit broker, faults and counters.
import { AuditBroker } from "./audit/broker.ts";
import { TokenStore } from "./auth/token-store.ts";
import { Faults } from "./faults/faults.ts";
import { createDoubleState, type DoubleState } from "./state.ts";
import { RequestStats } from "./stats.ts";

export interface DoubleContext {
  state: DoubleState;
  tokens: TokenStore;
  audit: AuditBroker;
  faults: Faults;
  /** Requests answered so far (GET /_double/stats); reset() or DELETE /_double/stats clears them. */
  stats: RequestStats;
  rootToken: string;
  /**
   * false: a server without namespaces, as Vault Community Edition is. Its HTTP layer puts every
   * request in the root namespace and never reads X-Vault-Namespace (http/util.go adjustRequest),
   * and its system backend has no sys/namespaces ("unsupported path").
   */
  namespaces: boolean;
  /** Stops (false) or resumes (true) accepting TCP connections on the same port: "refusing connections". */
  setListening(on: boolean): Promise<void>;
  now(): number; // ms; tests may move time forward through faults' control route
  /** Moves now() forward (or back, with a negative value) by this many ms. */
  advanceClock(ms: number): void;
}

/**
 * A context with a fresh state, before any mount exists (index.ts mounts the dev defaults).
 * Unit tests of one part can use it directly; setListening does nothing until a server binds it.
 */
export function createDoubleContext(opts: { rootToken: string; namespaces?: boolean }): DoubleContext {
  const state = createDoubleState();
  let offset = 0;
  const now = () => Date.now() + offset;
  const tokens = new TokenStore({ rootTokenId: opts.rootToken, now });
  return {
    state,
    tokens,
    // Response entries name the display_name of a token a response hands out, as Vault's do.
    audit: new AuditBroker({ hmacKey: state.hmacKey, now, lookupToken: (id) => tokens.lookup(id) }),
    faults: new Faults(),
    stats: new RequestStats(),
    rootToken: opts.rootToken,
    namespaces: opts.namespaces ?? true,
    setListening: async () => {},
    now,
    advanceClock(ms: number) {
      offset += ms;
    },
  };
}
