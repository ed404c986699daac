// What goes into each release archive beside the binary: the README, the LICENSE, the systemd unit,
// the example config, and the Grafana dashboard and Prometheus alert rules. A file that does not exist yet is left out with a warning, except the
// LICENSE, without which nothing ships.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TarEntry } from "./tarball.ts";
import type { Target } from "./targets.ts";

interface Companion {
  /** Path in the project. */
  source: string;
  /** Name in the archive. */
  name: string;
  required: boolean;
  /** Only for hosts that run systemd. */
  systemdOnly?: boolean;
}

const COMPANIONS: readonly Companion[] = [
  { source: "README.md", name: "README.md", required: false },
  { source: "LICENSE", name: "LICENSE", required: true },
  { source: "scripts/courier.service", name: "courier.service", required: false, systemdOnly: true },
  { source: "scripts/courier.example.yaml", name: "courier.example.yaml", required: false },
  { source: "scripts/monitoring/grafana-dashboard.json", name: "grafana-dashboard.json", required: false },
  { source: "scripts/monitoring/courier-rules.yaml", name: "courier-rules.yaml", required: false },
];

export interface ArchivePlan {
  entries: TarEntry[];
  warnings: string[];
}

/** The archive's entries for one target, the executable first. */
export function planArchive(root: string, target: Target, binaryPath: string): ArchivePlan {
  const entries: TarEntry[] = [{ name: target.binary, mode: 0o755, data: readFileSync(binaryPath) }];
  const warnings: string[] = [];
  for (const file of COMPANIONS) {
    if (file.systemdOnly && !target.systemd) continue;
    const path = join(root, file.source);
    if (existsSync(path)) {
      entries.push({ name: file.name, mode: 0o644, data: readFileSync(path) });
    } else if (file.required) {
      throw new Error(`${file.source} is missing; a release cannot ship without it`);
    } else {
      warnings.push(`${file.source} does not exist yet; the archives leave it out`);
    }
  }
  return { entries, warnings };
}
