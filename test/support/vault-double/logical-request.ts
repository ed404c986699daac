// From an HTTP request to Vault's logical operation, path and data (buildLogicalRequestNoAuth).
import { parseGoBool } from "./go-format.ts";
import { parseBody } from "./request-body.ts";
import type { HttpRequest, HttpResponse, Operation } from "./types.ts";

export const MERGE_PATCH = "application/merge-patch+json";

export interface LogicalParts {
  operation: Operation;
  /** Path after /v1/, before namespace resolution; LIST adds a trailing "/". */
  path: string;
  data: Record<string, unknown> | undefined;
}

const fail = (status: number, errors: string[] = []): HttpResponse => ({ status, body: { errors } });

export function logicalParts(http: HttpRequest): LogicalParts | HttpResponse {
  const path = http.path.slice("/v1/".length);
  const withSlash = () => (path.endsWith("/") ? path : `${path}/`);
  switch (http.method) {
    case "GET": {
      const list = http.query.get("list");
      const listing = list !== null && list !== "" ? parseGoBool(list) : false;
      if (listing === undefined) return fail(400);
      if (!listing) return { operation: "read", path, data: queryData(http.query) };
      const rest = new URLSearchParams(http.query);
      rest.delete("list");
      return { operation: "list", path: withSlash(), data: queryData(rest) };
    }
    case "LIST":
      return { operation: "list", path: withSlash(), data: queryData(http.query) };
    case "DELETE":
      return { operation: "delete", path, data: queryData(http.query) };
    case "POST":
    case "PUT": {
      const parsed = parseBody(http.body, http.headers.get("content-type"));
      if ("error" in parsed) return fail(400, [parsed.error]);
      return { operation: "update", path, data: parsed.data };
    }
    case "PATCH": {
      const header = http.headers.get("content-type") ?? "";
      const type = header.split(";", 1)[0]!.trim().toLowerCase();
      if (type === "") return fail(400, ["mime: no media type"]);
      if (type !== MERGE_PATCH) {
        return fail(415, [`PATCH requires Content-Type of ${MERGE_PATCH}, provided ${type}`]);
      }
      const parsed = parseBody(http.body, undefined);
      if ("error" in parsed) return fail(400, [parsed.error]);
      return { operation: "patch", path, data: parsed.data };
    }
    case "OPTIONS":
      // With CORS off Vault builds a request with no operation, which its core refuses.
      return fail(400, ["cannot handle internal-only request operation"]);
    default:
      return fail(405);
  }
}

/** Query parameters as request data: one value → string, several → array, "help" skipped. */
export function queryData(query: URLSearchParams): Record<string, unknown> | undefined {
  let data: Record<string, unknown> | undefined;
  for (const key of new Set(query.keys())) {
    if (key === "help") continue;
    const values = query.getAll(key);
    data ??= {};
    data[key] = values.length === 1 ? values[0] : values;
  }
  return data;
}

/**
 * Go's ServeMux answers an unclean path with a 301 to its clean form.
 * "/v1//secret/./data/x" → "/v1/secret/data/x"; a clean path → undefined
 */
export function cleanPathRedirect(path: string): string | undefined {
  if (!path.includes("//") && !path.includes("/.")) return undefined;
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  let clean = `/${out.join("/")}`;
  if (path.endsWith("/") && clean !== "/") clean += "/";
  return clean === path ? undefined : clean;
}
