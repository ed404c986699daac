// Builds dist/bench/bare-listener (lib/bare-listener.ts) with Courier's own compile step, once, and
// again only when its source changed.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readBuildInfo } from "../../build/build-info.ts";
import { compileBinary } from "../../build/compile.ts";
import { hostTarget } from "../../build/targets.ts";
import { ROOT } from "./child.ts";

const SOURCE = "scripts/bench/lib/bare-listener.ts";
const OUT = join(ROOT, "dist", "bench", "bare-listener");

export async function ensureBareListener(): Promise<string> {
  if (existsSync(OUT) && statSync(OUT).mtimeMs > statSync(join(ROOT, SOURCE)).mtimeMs) return OUT;
  await compileBinary({
    root: ROOT,
    target: hostTarget(),
    executablePath: process.execPath,
    outfile: OUT,
    info: readBuildInfo(ROOT),
    entry: SOURCE,
    workerGlob: "scripts/bench/lib/*.worker.ts", // none: the bare listener has no workers
  });
  return OUT;
}
