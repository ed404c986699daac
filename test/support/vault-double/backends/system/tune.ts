// sys/mounts/<path>/tune and sys/auth/<path>/tune: read and change a mount's settings,
// including the one-way KV upgrade from options.version 1 to 2.
import type { DoubleContext } from "../../context.ts";
import { weakInt } from "../../go-format.ts";
import { resolveMount } from "../../mount-table.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { createBackend } from "../factory.ts";
import { stringField, stringMapField } from "../fields.ts";
import { upgradeToV2 } from "../kv-v2/upgrade.ts";
import { codedError, invalidRequest, NO_CONTENT, ok, warningOnly } from "../respond.ts";
import { tuneInfo } from "./mount-info.ts";
import { mountConfig, sanitize } from "./mounts.ts";

/** Mounts whose settings cannot be tuned (untunableMounts). */
const UNTUNABLE = ["cubbyhole/", "sys/", "audit/", "identity/"];

export function readTune(nsState: NamespaceState, rawPath: string): LogicalResponse {
  const path = sanitize(rawPath);
  const found = resolveMount(nsState, path);
  if (!found) return codedError(`cannot fetch sysview for path "${path}"`);
  return ok(tuneInfo(found.mount));
}

export function writeTune(
  ctx: DoubleContext,
  nsState: NamespaceState,
  rawPath: string,
  req: LogicalRequest,
): LogicalResponse {
  const path = sanitize(rawPath);
  const untunable = UNTUNABLE.find((p) => path.startsWith(p));
  if (untunable) {
    const field = Object.keys(req.data ?? {}).find((f) => !f.startsWith("audit_non_hmac"));
    if (field) return codedError(`cannot tune parameter ${field} of ${path}`);
  }
  const found = resolveMount(nsState, path);
  if (!found) return codedError(`tune of path "${path}" failed: no mount entry found`);
  const mount = found.mount;
  const config = mountConfig({ ...req, data: { config: req.data ?? {} } });
  if (typeof config === "string") return invalidRequest(config);
  const description = stringField(req.data, "description");
  const options = stringMapField(req.data, "options");
  let upgraded: [number, number] | undefined;
  if (options?.version !== undefined) {
    const from = weakInt(mount.options.version ?? "") ?? 0;
    const to = weakInt(options.version);
    if (to === undefined) return codedError("unable to parse options: invalid syntax");
    if (to !== 1 && to !== 2) return invalidRequest(`invalid version provided: ${to}`);
    if (from > to) return invalidRequest(`cannot downgrade mount from version ${from}`);
    if (from < to) upgraded = [from, to];
  }
  Object.assign(mount.config, config);
  if (description !== undefined) mount.description = description;
  if (options) {
    for (const [k, v] of Object.entries(options)) {
      if (v === "" && k !== "version") delete mount.options[k];
      else mount.options[k] = v;
    }
  }
  if (!upgraded) return NO_CONTENT;
  if (mount.type === "kv" || mount.type === "generic") {
    // Vault upgrades in the background; here it is done before the answer, so no request ever
    // sees the "upgrading" window.
    if (upgraded[1] === 2) upgradeToV2(mount, ctx.now());
    nsState.backends.set(mount.path, createBackend(ctx, nsState, mount));
  }
  return warningOnly(
    `Upgrading mount from version ${upgraded[0]} to version ${upgraded[1]}. This mount will be unavailable for a brief period and will resume service shortly.`,
  );
}
