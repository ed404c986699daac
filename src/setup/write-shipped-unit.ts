// Writes scripts/courier.service from the same function `courier setup --systemd` uses:
//   bun src/setup/write-shipped-unit.ts
// A test fails when the shipped file and the function disagree.
import { join } from "node:path";
import { renderUnit, SHIPPED_UNIT } from "./systemd-unit.ts";

export const SHIPPED_UNIT_FILE = join(import.meta.dir, "..", "..", "scripts", "courier.service");

if (import.meta.main) {
  await Bun.write(SHIPPED_UNIT_FILE, renderUnit(SHIPPED_UNIT));
  process.stdout.write(`wrote ${SHIPPED_UNIT_FILE}\n`);
}
