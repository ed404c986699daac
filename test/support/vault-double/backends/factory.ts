// Which backend serves a mount, by its type (and for kv, options.version).
import { authBackendFactory } from "../auth/index.ts";
import { tokenBackend } from "../auth/token-backend.ts";
import type { DoubleContext } from "../context.ts";
import type { NamespaceState } from "../state.ts";
import type { Backend, MountEntry } from "../types.ts";
import { cubbyholeBackend } from "./cubbyhole.ts";
import { kvV1Backend } from "./kv-v1.ts";
import { kvV2Backend } from "./kv-v2/index.ts";
import { passthroughBackend } from "./passthrough.ts";
import { systemBackend } from "./system/index.ts";

export function createBackend(ctx: DoubleContext, nsState: NamespaceState, mount: MountEntry): Backend {
  switch (mount.type) {
    case "kv":
    case "generic":
      return mount.options?.version === "2" ? kvV2Backend(mount, () => ctx.now()) : kvV1Backend(mount);
    case "cubbyhole":
    case "ns_cubbyhole":
      return cubbyholeBackend(mount);
    case "system":
    case "ns_system":
      return systemBackend(ctx, nsState);
    case "token":
    case "ns_token":
      return tokenBackend(ctx);
    default:
      if (mount.mountClass === "auth")
        return authBackendFactory(mount.type, ctx, mount) ?? passthroughBackend();
      return passthroughBackend();
  }
}
