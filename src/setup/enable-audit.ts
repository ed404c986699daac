// Enabling the audit devices on the source, idempotently: a device that is already there with
// the same options is left alone; one with other options is an error unless --force replaces
// it. Nothing is changed until every device has been compared. Audit devices belong to the root
// namespace whatever namespace Courier works in, so these calls go there.
import { CourierError } from "../errors.ts";
import type { VaultRequest } from "../vault/http.ts";
import { type DeviceSpec, deviceDifferences, isApiAuditRefusal } from "./audit-device.ts";
import type { Journal } from "./journal.ts";
import { serverConfigBlock } from "./server-config-block.ts";
import type { SetupVault } from "./setup-vault.ts";
import { type StandIn, standInFor } from "./stand-in.ts";

const ROOT = "";

export interface AuditChoices {
  /** Replace a device at one of the paths that has other options. */
  force: boolean;
}

/** Enables `devices` in order (a file device first, so Vault keeps answering without Courier). */
export async function enableAuditDevices(
  source: SetupVault,
  devices: readonly DeviceSpec[],
  choices: AuditChoices,
  journal: Journal,
): Promise<void> {
  const existing = await listDevices(source);
  const plan = planDevices(source, existing, devices, choices);
  warnIfOnlyDevice(existing, devices, journal);
  const standIns: StandIn[] = [];
  try {
    for (const [index, step] of plan.entries()) {
      if (step.action === "keep") {
        journal.say(`audit device ${step.device.path}/ is already enabled with these options: nothing to do`);
        continue;
      }
      if (step.action === "replace") {
        await expectDone(source, step.device, {
          method: "DELETE",
          path: devicePath(step.device),
          namespace: ROOT,
        });
      }
      const standIn = journal.dryRun ? undefined : await listenIfNeeded(step.device, journal);
      if (standIn) standIns.push(standIn);
      const put = {
        method: "PUT",
        path: devicePath(step.device),
        namespace: ROOT,
        body: bodyOf(step.device),
      } as const;
      const reply = await source.change(put, true);
      if (reply === null) continue;
      if (isApiAuditRefusal(reply)) {
        throw refused(
          journal,
          plan
            .slice(index)
            .filter((s) => s.action !== "keep")
            .map((s) => s.device),
        );
      }
      if (reply.status !== 204 && reply.status !== 200)
        throw failed(source, step.device, source.client.http.failure(put, reply).message);
      const done = step.action === "replace" ? "replaced" : "enabled";
      journal.say(`${done} audit device ${step.device.path}/ (${describe(step.device)})`);
      if (standIn) await reportTestEntry(standIn, journal);
    }
  } finally {
    for (const standIn of standIns) standIn.close();
  }
}

type Step = { device: DeviceSpec; action: "enable" | "keep" | "replace" };

/** What to do with each device; every conflict is reported together, before anything changes. */
function planDevices(
  source: SetupVault,
  existing: Record<string, unknown>,
  devices: readonly DeviceSpec[],
  choices: AuditChoices,
): Step[] {
  const conflicts: string[] = [];
  const steps = devices.map((device): Step => {
    const held = existing[`${device.path}/`];
    if (held === undefined) return { device, action: "enable" };
    const differences = deviceDifferences(held, device);
    if (differences.length === 0) return { device, action: "keep" };
    if (!choices.force) {
      conflicts.push(
        `${source.name} already has an audit device at ${device.path}/ with other options: ${differences.join("; ")}`,
      );
    }
    return { device, action: "replace" };
  });
  if (conflicts.length > 0) {
    conflicts.push(
      "rerun with --force to replace it, or set --vault.audit_path to enable Courier's device elsewhere",
    );
    throw new CourierError("SETUP_FAILED", conflicts.join("\n"));
  }
  return steps;
}

async function listDevices(source: SetupVault): Promise<Record<string, unknown>> {
  const request: VaultRequest = { method: "GET", path: "sys/audit", namespace: ROOT };
  const reply = await source.read(request);
  if (reply.status !== 200) throw source.client.http.failure(request, reply);
  const body = (reply.body ?? {}) as { data?: Record<string, unknown> } & Record<string, unknown>;
  return body.data ?? body;
}

/**
 * Vault stops answering when no device can record a request: one socket device alone is fragile.
 * Over UDP an entry larger than one datagram cannot be sent at all, so it is said either way.
 */
function warnIfOnlyDevice(
  existing: Record<string, unknown>,
  devices: readonly DeviceSpec[],
  journal: Journal,
): void {
  const socket = devices.find((device) => device.type === "socket");
  if (!socket) return;
  const udp = socket.options.socket_type === "udp";
  const ours = new Set(devices.map((device) => `${device.path}/`));
  const alone =
    !Object.keys(existing).some((path) => !ours.has(path)) && !devices.some((d) => d.type === "file");
  if (!alone) {
    if (udp) journal.say(`${UDP_TOO_LARGE} the full passes repair what it missed. ${LARGE_SECRETS}`);
    return;
  }
  journal.warn(
    `${socket.path}/ will be the source's only audit device. ${
      udp
        ? `Over UDP Vault keeps answering while Courier is down, but what it sends then is lost until the next full pass. ${UDP_TOO_LARGE} with no other device Vault refuses that request (500). ${LARGE_SECRETS}`
        : "Vault refuses every request that no audit device can record, so the source stops answering whenever Courier is not listening."
    } Add a second device: rerun with --file-audit /var/log/vault/audit.log`,
  );
}

const UDP_TOO_LARGE =
  "An audit entry too large for one UDP datagram (about 64 KB: a secret with many or long fields) is lost whatever Courier does;";
const LARGE_SECRETS = "For large secrets use a tcp:// address or a file device (file://) instead of UDP.";

function devicePath(device: DeviceSpec): string {
  return `sys/audit/${device.path}`;
}

/** A call that must answer 200 or 204 (in a dry run it is only printed). */
async function expectDone(source: SetupVault, device: DeviceSpec, request: VaultRequest): Promise<void> {
  const reply = await source.change(request);
  if (reply && reply.status !== 204 && reply.status !== 200)
    throw failed(source, device, source.client.http.failure(request, reply).message);
}

async function reportTestEntry(standIn: StandIn, journal: Journal): Promise<void> {
  journal.say(
    (await standIn.sawTestEntry())
      ? `Vault's test entry reached ${standIn.address}, where setup listened in Courier's place`
      : `setup listened on ${standIn.address} in Courier's place, but Vault's test entry did not arrive there`,
  );
}

async function listenIfNeeded(device: DeviceSpec, journal: Journal): Promise<StandIn | undefined> {
  const type = device.options.socket_type;
  if (device.type !== "socket" || (type !== "tcp" && type !== "unix")) return undefined;
  const result = await standInFor(device);
  if (result.kind === "listening") return result.standIn;
  if (result.kind === "failed") {
    journal.warn(
      `could not listen on ${device.options.address} in Courier's place (${result.reason}); Vault's test entry needs a listener there`,
    );
  }
  return undefined;
}

function bodyOf(device: DeviceSpec) {
  return { type: device.type, description: device.description, options: device.options };
}

/** describe(socket udp device) → "socket, udp to 127.0.0.1:1269"; a file device → "file /var/log/…" */
function describe(device: DeviceSpec): string {
  if (device.type === "file") return `file ${device.options.file_path}`;
  return `socket, ${device.options.socket_type} to ${device.options.address}`;
}

function failed(source: SetupVault, device: DeviceSpec, why: string): CourierError {
  return new CourierError(
    "SETUP_FAILED",
    `${source.name} did not enable audit device ${device.path}/: ${why}`,
  );
}

/** OpenBao's refusal: print the server-config blocks instead, and fail so the operator acts. */
function refused(journal: Journal, devices: readonly DeviceSpec[]): CourierError {
  journal.say(
    "The source refuses to create audit devices through its API (OpenBao does unless its server configuration sets unsafe_allow_api_audit_creation).",
  );
  journal.say("Add this to the server's configuration file, then reload it (SIGHUP) or restart the server:");
  journal.say("");
  for (const device of devices) journal.say(serverConfigBlock(device));
  return new CourierError(
    "SETUP_FAILED",
    "the source does not create audit devices through its API: add the audit block printed above to its server configuration",
  );
}
