// `bun run build`: compiles Courier into one executable, dist/courier for this machine.
//   --target <name>   another host: linux-x64, linux-arm64, linux-x64-musl, linux-arm64-musl,
//                     darwin-x64, darwin-arm64, windows-x64 (Bun's bun-… names work too)
//   --outfile <path>  where to write it (default dist/courier, or dist/<target>/courier)
//   --offline         use only a cached runtime for another target; never fetch
//   --no-bytecode, --no-minify, --no-sourcemap   to measure what each is worth
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { readBuildInfo } from "./build/build-info.ts";
import { compileBinary } from "./build/compile.ts";
import { formatBytes, formatMs } from "./build/format.ts";
import { ensureRuntime } from "./build/runtime-cache.ts";
import { findTarget, hostTarget, TARGETS } from "./build/targets.ts";

const root = join(import.meta.dir, "..");

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    target: { type: "string" },
    outfile: { type: "string" },
    offline: { type: "boolean", default: false },
    "no-bytecode": { type: "boolean", default: false },
    "no-minify": { type: "boolean", default: false },
    "no-sourcemap": { type: "boolean", default: false },
  },
});

const host = hostTarget();
const target = values.target ? findTarget(values.target) : host;
if (!target) {
  console.error(`unknown target ${values.target}; one of: ${TARGETS.map((t) => t.name).join(", ")}`);
  process.exit(2);
}
const outfile =
  values.outfile ??
  (target === host ? join("dist", target.binary) : join("dist", target.name, target.binary));

try {
  const runtime = await ensureRuntime(target, { offline: values.offline });
  const info = readBuildInfo(root);
  const built = await compileBinary({
    root,
    target,
    executablePath: runtime.path,
    outfile,
    info,
    bytecode: !values["no-bytecode"],
    minify: !values["no-minify"],
    sourcemap: !values["no-sourcemap"],
  });
  const workers = built.workers.length > 0 ? built.workers.join(", ") : "none";
  console.log(
    `built ${relative(process.cwd(), built.path)}: courier ${info.version} (${info.commit}) for ${target.name}, ` +
      `${formatBytes(built.bytes)} in ${formatMs(built.ms)}; runtime from ${runtime.source}; workers: ${workers}`,
  );
} catch (error) {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
