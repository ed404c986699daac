// `--systemd`: the unit for this very binary, written where systemd looks for it. Enabling and
// starting it is left to the operator, with the command printed: setup changes files, not
// running services.
import { dirname } from "node:path";
import { CourierError } from "../errors.ts";
import { writeSetupFile } from "./files.ts";
import type { Journal } from "./journal.ts";
import { renderUnit, type UnitOptions } from "./systemd-unit.ts";

/**
 * The path of the running courier binary. From source (`bun src/main.ts`) there is none to point
 * a unit at: process.execPath is Bun itself.
 */
export function compiledBinary(main = Bun.main, execPath = process.execPath): string {
  if (main.startsWith("/$bunfs/") || main.startsWith("B:/~BUN/")) return execPath;
  throw new CourierError(
    "SETUP_FAILED",
    `--systemd needs the compiled courier binary, and this courier runs from source (${main}): build it with \`bun run build\` and run dist/courier setup --systemd`,
  );
}

export function installUnit(options: UnitOptions, unitPath: string, journal: Journal): void {
  const outcome = writeSetupFile(journal, unitPath, renderUnit(options), 0o644);
  if (outcome === "wrote") journal.say(`wrote ${unitPath}`);
  if (outcome === "unchanged") journal.say(`${unitPath} is up to date`);
  const name = unitPath.split("/").at(-1) ?? "courier.service";
  const unit = name.replace(/\.service$/, "");
  const where = dirname(unitPath);
  const standard = where === "/etc/systemd/system" || where === "/run/systemd/system";
  journal.say(
    standard
      ? `next: systemctl daemon-reload && systemctl enable --now ${unit}`
      : `next: link it into systemd (systemctl link ${unitPath}), then systemctl daemon-reload && systemctl enable --now ${unit}`,
  );
}
