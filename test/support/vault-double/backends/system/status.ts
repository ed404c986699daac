// The sys/ endpoints Vault serves outside its logical request flow (own HTTP handlers, no mount,
// work while sealed): health, seal-status, seal, unseal, leader.
import { allows, requestAcl } from "../../authz.ts";
import type { DoubleContext } from "../../context.ts";
import { parseGoBool } from "../../go-format.ts";
import { parseBody } from "../../request-body.ts";
import type { HttpRequest, HttpResponse } from "../../types.ts";

const BUILD_DATE = "2025-03-04T12:36:40Z";
const NO_BODY_405: HttpResponse = { status: 405, body: { errors: [] } };

/** The raw handler for this HTTP path, if it is one of them. */
export function statusHandler(
  path: string,
): ((ctx: DoubleContext, req: HttpRequest) => HttpResponse) | undefined {
  switch (path) {
    case "/v1/sys/health":
      return health;
    case "/v1/sys/seal-status":
      return (ctx, req) => (req.method === "GET" ? { status: 200, body: sealStatus(ctx) } : NO_BODY_405);
    case "/v1/sys/seal":
      return seal;
    case "/v1/sys/unseal":
      return unseal;
    case "/v1/sys/leader":
      return (_ctx, req) => (req.method === "GET" ? { status: 200, body: leader() } : NO_BODY_405);
    default:
      return undefined;
  }
}

/** GET/HEAD sys/health: 200 active, 429 standby, 503 sealed; each code can be overridden by query. */
function health(ctx: DoubleContext, req: HttpRequest): HttpResponse {
  if (req.method !== "GET" && req.method !== "HEAD") return NO_BODY_405;
  const code = (name: string, fallback: number): number | undefined => {
    const raw = req.query.get(name);
    if (raw === null) return fallback;
    return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
  };
  const standbyOkRaw = req.query.get("standbyok");
  const standbyOk = standbyOkRaw === null ? false : parseGoBool(standbyOkRaw);
  const codes = [code("activecode", 200), code("standbycode", 429), code("sealedcode", 503)];
  if (standbyOk === undefined || codes.includes(undefined)) return { status: 400, body: { errors: [] } };
  const [active, standby, sealed] = codes as number[];
  const { state } = ctx;
  const status = state.sealed ? sealed! : state.standby && !standbyOk ? standby! : active!;
  const body: Record<string, unknown> = {
    initialized: true,
    sealed: state.sealed,
    standby: state.sealed || state.standby,
    performance_standby: false,
    replication_performance_mode: "disabled",
    replication_dr_mode: "disabled",
    server_time_utc: Math.floor(ctx.now() / 1000),
    version: state.version,
    enterprise: false,
  };
  if (!state.sealed) {
    body.cluster_name = state.clusterName;
    body.cluster_id = state.clusterId;
  }
  Object.assign(body, { echo_duration_ms: 0, clock_skew_ms: 0, replication_primary_canary_age_ms: 0 });
  return { status, body };
}

export function sealStatus(ctx: DoubleContext): Record<string, unknown> {
  const { state } = ctx;
  const body: Record<string, unknown> = {
    type: "shamir",
    initialized: true,
    sealed: state.sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: "",
    version: state.version,
    build_date: BUILD_DATE,
    migration: false,
  };
  if (!state.sealed) {
    body.cluster_name = state.clusterName;
    body.cluster_id = state.clusterId;
  }
  return { ...body, recovery_seal: false, storage_type: "inmem", removed_from_cluster: false };
}

/** PUT sys/seal: needs a token with sudo on sys/seal. */
function seal(ctx: DoubleContext, req: HttpRequest): HttpResponse {
  if (req.method !== "PUT" && req.method !== "POST") return NO_BODY_405;
  if (ctx.state.sealed) return { status: 204 };
  const id = req.headers.get("x-vault-token") ?? "";
  const token = id ? ctx.tokens.lookup(id) : undefined;
  const ra = token ? requestAcl(ctx, token, { id: "root", path: "" }) : undefined;
  if (!ra || !allows(ra, "sys/seal", "update") || !allows(ra, "sys/seal", "sudo")) {
    return { status: 403, body: { errors: ["permission denied"] } };
  }
  ctx.state.sealed = true;
  return { status: 204 };
}

/** PUT sys/unseal {key} or {reset}: the dev server's single key unseals at once. */
function unseal(ctx: DoubleContext, req: HttpRequest): HttpResponse {
  if (req.method !== "PUT" && req.method !== "POST") return NO_BODY_405;
  const parsed = parseBody(req.body, req.headers.get("content-type"));
  if ("error" in parsed) return { status: 400, body: { errors: [parsed.error] } };
  const data = parsed.data ?? {};
  const fail = (message: string): HttpResponse => ({ status: 400, body: { errors: [message] } });
  if (data.reset === true) {
    return ctx.state.sealed ? { status: 200, body: sealStatus(ctx) } : fail("vault is unsealed");
  }
  const key = typeof data.key === "string" ? data.key : "";
  if (key === "") return fail("'key' must be specified in request body as JSON, or 'reset' set to true");
  if (!/^[0-9a-fA-F]+$/.test(key) && !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
    return fail("'key' must be a valid hex or base64 string");
  }
  if (ctx.state.sealed) {
    const asHex = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, "hex").toString("base64") : key;
    if (asHex !== ctx.state.unsealKey) return fail("Unseal failed, invalid key");
    ctx.state.sealed = false;
  }
  return { status: 200, body: sealStatus(ctx) };
}

function leader(): Record<string, unknown> {
  return {
    ha_enabled: false,
    is_self: false,
    active_time: "0001-01-01T00:00:00Z",
    leader_address: "",
    leader_cluster_address: "",
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
  };
}
