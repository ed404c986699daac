// sys/audit and sys/audit-hash: the system side of audit devices; the broker does the work.
import type { DoubleContext } from "../../context.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { boolField, stringField, stringMapField } from "../fields.ts";
import { NO_CONTENT, ok, userError } from "../respond.ts";

export function listAudit(ctx: DoubleContext): LogicalResponse {
  return ok(ctx.audit.list());
}

/** PUT sys/audit/<path> {type, description, options, local}; the broker writes the test entry. */
export async function enableAudit(
  ctx: DoubleContext,
  path: string,
  req: LogicalRequest,
): Promise<LogicalResponse> {
  const type = stringField(req.data, "type") ?? "";
  if (type === "") return userError("type is required");
  await ctx.audit.enable(trimSlash(path), {
    type,
    description: stringField(req.data, "description") ?? "",
    options: stringMapField(req.data, "options") ?? {},
    local: boolField(req.data, "local") ?? false,
  });
  return NO_CONTENT;
}

export async function disableAudit(ctx: DoubleContext, path: string): Promise<LogicalResponse> {
  await ctx.audit.disable(trimSlash(path));
  return NO_CONTENT;
}

/** POST sys/audit-hash/<path> {input}: the HMAC that device would write for this value. */
export function auditHash(ctx: DoubleContext, path: string, req: LogicalRequest): LogicalResponse {
  const input = stringField(req.data, "input");
  if (input === undefined) return userError('the "input" parameter is empty');
  if (!(`${trimSlash(path)}/` in ctx.audit.list())) return userError("unknown audit backend");
  return ok({ hash: ctx.audit.hash(input) });
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, "");
}
