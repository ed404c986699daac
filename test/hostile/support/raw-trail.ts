// Tokens a Vault double saw, read from a file audit device with log_raw on: every client token a
// request carried and every token a response handed out (logins, token creation). These are the
// tokens Courier held, whether it was given them or made them itself.
import { readFileSync } from "node:fs";

/** rawTokens("/tmp/x/raw.log") → ["courier-east-1a2b", "hvs.Xk3…", …] */
export function rawTokens(path: string): string[] {
  const tokens = new Set<string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    const entry = JSON.parse(line);
    for (const token of [
      entry.request?.client_token,
      entry.auth?.client_token,
      entry.response?.auth?.client_token,
    ]) {
      if (typeof token === "string" && token !== "") tokens.add(token);
    }
  }
  return [...tokens];
}
