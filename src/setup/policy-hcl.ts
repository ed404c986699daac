// The rights table as an HCL policy an operator can hand to `vault policy write NAME -`.
import type { Right } from "./rights.ts";

/**
 * renderPolicy("courier-source", "Courier's token on the source Vault", [{path:"sys/mounts",capabilities:["read"],why:"the mount table"}])
 *   → '# courier-source: Courier\'s token on the source Vault\n\n# the mount table\npath "sys/mounts" {\n  capabilities = ["read"]\n}\n'
 */
export function renderPolicy(name: string, about: string, rights: readonly Right[]): string {
  const blocks = merge(rights).map((right) => {
    const caps = right.capabilities.map((c) => `"${c}"`).join(", ");
    return `# ${right.why}\npath "${right.path}" {\n  capabilities = [${caps}]\n}\n`;
  });
  return `# ${name}: ${about}\n\n${blocks.join("\n")}`;
}

/** One block per path: two rights on one path (Vault merges them anyway) read better as one. */
function merge(rights: readonly Right[]): Right[] {
  const byPath = new Map<string, Right>();
  for (const right of rights) {
    const held = byPath.get(right.path);
    if (!held) {
      byPath.set(right.path, { ...right, capabilities: [...right.capabilities] });
      continue;
    }
    for (const c of right.capabilities) if (!held.capabilities.includes(c)) held.capabilities.push(c);
    held.why = `${held.why}; ${right.why}`;
  }
  return [...byPath.values()];
}
