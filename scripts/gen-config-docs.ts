// Rewrites the configuration reference in README.md (between <!-- config:begin --> and
// <!-- config:end -->, appended under "## Configuration" if the markers are missing) from the
// config schema. Run after adding or changing a setting: bun scripts/gen-config-docs.ts
import { join } from "node:path";
import { replaceReference } from "../src/config/output.ts";

const readmePath = join(import.meta.dir, "..", "README.md");
const before = await Bun.file(readmePath).text();
const after = replaceReference(before);
if (after === before) {
  console.log("README.md: configuration reference already current");
} else {
  await Bun.write(readmePath, after);
  console.log("README.md: configuration reference rewritten");
}
