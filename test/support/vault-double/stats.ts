// A per-server request counter for benchmarks and tests: how many /v1 requests the double
// answered, by HTTP method and by the logical operation Vault ran them as. Counting is a few
// property increments per request, so it stays on even under load.
import type { Operation } from "./types.ts";

/** What GET /_double/stats answers. */
export interface StatsSnapshot {
  total: number;
  by_method: Record<string, number>;
  by_sys_path: Record<string, number>;
  by_operation: Record<Operation, number>;
}

export class RequestStats {
  /** Every /v1 request, whatever became of it (faults, sealed, refused and bad requests included). */
  total = 0;
  /** Requests by HTTP verb as sent: {"GET": 3, "LIST": 1}. No prototype: a verb is any token. */
  byMethod: Record<string, number> = Object.create(null);
  /**
   * Requests that reached Vault's request handling, by the operation it settled on after the
   * existence check (the one the audit log names): a KV write of a new key counts as create.
   */
  byOperation: Record<Operation, number> = zeroOperations();
  /**
   * System requests by their first two path segments ("sys/mounts", "sys/leader"), so a test can
   * tell the mount-table reads apart from an HA role check. Key paths are never counted here.
   */
  bySysPath: Record<string, number> = Object.create(null);

  /** countRequest("GET", "/v1/sys/mounts/secret") counts a GET and one "sys/mounts". */
  countRequest(method: string, path = ""): void {
    this.total++;
    this.byMethod[method] = (this.byMethod[method] ?? 0) + 1;
    if (path.startsWith("/v1/sys/")) {
      const name = path.slice(4).split("/", 2).join("/");
      this.bySysPath[name] = (this.bySysPath[name] ?? 0) + 1;
    }
  }

  countOperation(operation: Operation): void {
    this.byOperation[operation]++;
  }

  reset(): void {
    this.total = 0;
    this.byMethod = Object.create(null);
    this.byOperation = zeroOperations();
    this.bySysPath = Object.create(null);
  }

  snapshot(): StatsSnapshot {
    return {
      total: this.total,
      by_method: { ...this.byMethod },
      by_operation: { ...this.byOperation },
      by_sys_path: { ...this.bySysPath },
    };
  }
}

function zeroOperations(): Record<Operation, number> {
  return { read: 0, list: 0, create: 0, update: 0, delete: 0, patch: 0 };
}
