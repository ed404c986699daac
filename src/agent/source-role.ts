// Whether the source node is the active node of its HA cluster. On a cluster one Courier runs beside
// each node, with that node as its source; only the Courier of the active node may sync. A standby
// answers reads from its own copy of the storage, which can lag the active node: a sync that read
// it could put an older value back on a destination. A standby's Courier therefore drops what it
// hears (the active node audits every change too, forwarded writes included, and its Courier syncs
// them) and runs no pass; when its node becomes active it runs a full pass at once, which carries
// the changes whose audit entries died with the old active node or its Courier.
//
// `sys/leader` decides: its `is_self` is reliable (its `leader_address` is not). A server without HA
// (a dev server, file storage) says `ha_enabled: false` and counts as active.
//
// Behind a load balancer that routes to the active node only, every answer says is_self: the
// node answering changes instead. A new `leader_address` while active is a leader change, and asks
// for the same catch-up pass (the entries the old leader sent may be lost with it).

import type { Logger } from "../observe/logger.ts";
import type { VaultClient } from "../vault/client.ts";

/** How often sys/leader is asked: a failover's catch-up pass starts at most this late. */
export const ROLE_POLL_MS = 1_000;

export type Role = "active" | "standby";

/** What changed: this node became active or stood down, or (still active) another node leads now. */
export type RoleChange = "became active" | "became standby" | "leader changed";

interface RoleAnswer {
  role: Role;
  /** The leader's API address as this node names it ("" without HA). */
  leader: string;
}

export interface SourceRoleOptions {
  source: VaultClient;
  log: Logger;
  /** Called once per change, after the first answer (start() reports the first role itself). */
  onChange: (change: RoleChange) => void;
  pollMs?: number;
}

export class SourceRole {
  #role: Role = "standby";
  #leader = "";
  #hintsDropped = 0;
  #timer: Timer | undefined;
  #asking: Promise<void> | undefined;
  readonly #options: SourceRoleOptions;

  constructor(options: SourceRoleOptions) {
    this.#options = options;
  }

  get active(): boolean {
    return this.#role === "active";
  }

  get role(): Role {
    return this.#role;
  }

  /** Audit lines a standby dropped (its active node's Courier syncs them). */
  get hintsDropped(): number {
    return this.#hintsDropped;
  }

  dropHint(): void {
    this.#hintsDropped++;
  }

  /** Asks once (the first role, before anything syncs), then keeps asking every pollMs. */
  async start(): Promise<Role> {
    const first = await askRole(this.#options.source);
    // A source that cannot say is taken as active: a single server that is briefly unreachable
    // behaves as before, and a standby says so at the next poll.
    this.#role = first instanceof Error ? "active" : first.role;
    this.#leader = first instanceof Error ? "" : first.leader;
    this.#timer = setInterval(() => {
      this.#asking ??= this.#poll().finally(() => {
        this.#asking = undefined;
      });
    }, this.#options.pollMs ?? ROLE_POLL_MS);
    return this.#role;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#asking;
  }

  async #poll(): Promise<void> {
    const answer = await askRole(this.#options.source);
    if (answer instanceof Error) {
      // A node that does not answer cannot be read from either: keep the role until it says.
      this.#options.log.debug("the source did not say whether it is active", { error: answer.message });
      return;
    }
    const before = { role: this.#role, leader: this.#leader };
    this.#role = answer.role;
    if (answer.leader !== "") this.#leader = answer.leader;
    if (answer.role !== before.role) {
      this.#options.onChange(answer.role === "active" ? "became active" : "became standby");
    } else if (
      answer.role === "active" &&
      before.leader !== "" &&
      answer.leader !== "" &&
      answer.leader !== before.leader
    ) {
      this.#options.onChange("leader changed");
    }
  }
}

/** sys/leader → "active" (is_self, or no HA at all) or "standby"; an Error when it cannot tell. */
export async function askRole(source: VaultClient): Promise<RoleAnswer | Error> {
  try {
    const reply = await source.http.send({ method: "GET", path: "sys/leader" }, "");
    if (reply.status === 503) return { role: "standby", leader: "" }; // sealed: serves nothing
    if (reply.status !== 200) return new Error(`sys/leader answered ${reply.status}`);
    const address = (reply.body as { leader_address?: unknown } | undefined)?.leader_address;
    return { role: roleOf(reply.body), leader: typeof address === "string" ? address : "" };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * roleOf({ha_enabled: false}) → "active";  roleOf({ha_enabled: true, is_self: true}) → "active";
 * roleOf({ha_enabled: true, is_self: false}) → "standby"
 */
export function roleOf(body: unknown): Role {
  const leader = (body ?? {}) as { ha_enabled?: unknown; is_self?: unknown };
  if (leader.ha_enabled !== true) return "active";
  return leader.is_self === true ? "active" : "standby";
}
