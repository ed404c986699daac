// The contracts between the parts of the Vault double. Each part (HTTP front, pipeline, backends,
// auth, audit, faults) lives in its own file and speaks only through these types, the way Vault's
// own http → core → logical backend layers do.

/** One HTTP request as the front parsed it. `path` has no query string; header names are lower-case. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Map<string, string>;
  body: Uint8Array;
  remoteAddress: string;
  remotePort: number;
}

/** What the pipeline answers. `body` is serialised as JSON; no body means an empty reply (204). */
export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Vault's logical operations, as the audit log names them. */
export type Operation = "create" | "read" | "update" | "patch" | "delete" | "list";

/** ACL capabilities, as policies name them. */
export type Capability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny";

/** A namespace; the root namespace has id "root" and path "". Child paths end with "/". */
export interface Namespace {
  id: string;
  path: string;
}

/** One entry of a namespace's mount table (secret engines and auth methods alike). */
export interface MountEntry {
  /** Full path inside the namespace with trailing slash: "secret/", "auth/token/", "sys/". */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  /** "secret" for secret engines, "auth" for auth methods; Vault's audit entries carry it as mount_class. */
  mountClass: "secret" | "auth";
  options: Record<string, string>;
  config: { default_lease_ttl: number; max_lease_ttl: number; [k: string]: unknown };
  local: boolean;
  sealWrap: boolean;
  /** Where the backend keeps its data; a backend owns it entirely. */
  storage: Map<string, unknown>;
}

/** A token as the token store holds it. */
export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  namespace: Namespace;
  displayName: string;
  meta: Record<string, string> | null;
  /** Seconds; 0 = never expires (root). */
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  orphan: boolean;
  numUses: number;
  type: "service" | "batch";
  path: string;
  /** Unix ms. */
  issuedAt: number;
  /** Unix ms; 0 = never. */
  expiresAt: number;
  entityId: string;
}

/** A request after the HTTP layer: what a backend and the audit log see. */
export interface LogicalRequest {
  id: string;
  operation: Operation;
  /** Path relative to the namespace, no leading slash: "secret/data/app". */
  path: string;
  namespace: Namespace;
  /** Parsed JSON body (or query parameters for reads); undefined when there was none. */
  data: Record<string, unknown> | undefined;
  query: URLSearchParams;
  headers: Map<string, string>;
  /** The raw token the client sent ("" for none). Never logged unhashed. */
  clientToken: string;
  token: TokenEntry | undefined;
  /**
   * The token's use count before this request used it (Vault's req.ClientTokenRemainingUses, which
   * the audit log shows as auth.remaining_uses); 0 = unlimited. Unset: the token's current count.
   */
  clientTokenRemainingUses?: number;
  remoteAddress: string;
  remotePort: number;
  /** The mount the path falls in, and the path inside it ("data/app"). */
  mount: MountEntry | undefined;
  mountSubpath: string;
  /**
   * The ACL decision, as the audit log's auth.policy_results shows it: set by the pipeline after
   * the ACL check (allowed or not) and for unauthenticated paths ({allowed:true}); left unset when
   * the token itself was bad (Vault then logs no policy_results).
   */
  policyResults?: PolicyResults;
}

/** Which policies granted a request (Vault's logical.PolicyResults). */
export interface PolicyResults {
  allowed: boolean;
  grantingPolicies?: { name: string; namespaceId: string; namespacePath?: string }[];
}

/** What a backend answers. The pipeline turns it into HTTP: data/auth/warnings wrap like Vault's. */
export interface LogicalResponse {
  status: number;
  /** Vault's "data" object; omitted for 204 replies. */
  data?: Record<string, unknown> | null;
  auth?: Record<string, unknown> | null;
  warnings?: string[] | null;
  /** Errors to answer with; a non-2xx status with no errors answers {"errors":[]} (a plain 404). */
  errors?: string[];
  /**
   * A raw response (Vault's logical.HTTPRawBody), sent instead of the wrapped shape: a string is
   * the exact body text ("" for none), anything else is written as JSON. The audit log records it
   * as Vault does a raw response: data {http_content_type, http_raw_body, http_status_code}.
   */
  raw?: unknown;
  /** The secret's lease, shown as lease_id, lease_duration and renewable in the wrapped body. */
  lease?: { id: string; duration: number; renewable: boolean };
  /**
   * The Go error Vault's core carried next to this response ("invalid request", "unsupported
   * operation", "permission denied"). The audit entry's `error` is this text wrapped the way
   * go-multierror prints it; the HTTP body shows `errors`, not this.
   */
  error?: string;
}

/** A logical backend, mounted at a path; like Vault's framework.Backend. */
export interface Backend {
  /** Answers one request. `req.mountSubpath` is the path inside the mount. */
  handle(req: LogicalRequest): LogicalResponse | Promise<LogicalResponse>;
  /**
   * Vault's existence check: for a write, does the target exist? It decides whether the audit log
   * (and ACL) say "create" or "update". Paths without an existence check always say "update".
   * Undefined return = this path has no existence check.
   */
  exists?(req: LogicalRequest): boolean | undefined;
  /** Paths inside the mount that also need `sudo` (Vault's PathsSpecial.Root), glob `*` suffix allowed. */
  rootPaths?: string[];
  /** Paths inside the mount that need no token (Vault's PathsSpecial.Unauthenticated), e.g. ["login"]. */
  unauthenticatedPaths?: string[];
}
