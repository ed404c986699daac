// Auth methods the double can enable through sys/auth/<path>.
import type { DoubleContext } from "../context.ts";
import type { Backend, MountEntry } from "../types.ts";
import { approleBackend } from "./approle-backend.ts";

/** The backend for an auth method of this type; undefined when the double has none. */
export function authBackendFactory(type: string, ctx: DoubleContext, mount: MountEntry): Backend | undefined {
  return type === "approle" ? approleBackend(ctx, mount) : undefined;
}
