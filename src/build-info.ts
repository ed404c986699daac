// What this binary is: version and commit (embedded at build time with
// `bun build --define COURIER_VERSION='"1.2.3"' --define COURIER_COMMIT='"abc1234"'`, and
// optionally COURIER_TARGET='"linux-x64-musl"'), the platform it runs on, and the Bun inside it.
// Run from source, the version comes from package.json and the commit is "dev". `courier version`
// prints it and the courier_build_info metric carries it, so it sits below both cli/ and observe/.
import packageJson from "../package.json" with { type: "json" };

declare const COURIER_VERSION: string | undefined;
declare const COURIER_COMMIT: string | undefined;
declare const COURIER_TARGET: string | undefined;

export interface BuildInfo {
  version: string;
  commit: string;
  target: string;
  bun: string;
}

export function buildInfo(): BuildInfo {
  return {
    version: typeof COURIER_VERSION === "string" ? COURIER_VERSION : packageJson.version,
    commit: typeof COURIER_COMMIT === "string" ? COURIER_COMMIT : "dev",
    target: typeof COURIER_TARGET === "string" ? COURIER_TARGET : `${process.platform}-${process.arch}`,
    bun: Bun.version,
  };
}

/**
 * formatBuildInfo({version:"0.1.0",commit:"dev",target:"linux-x64",bun:"1.4.5"})
 *   → "courier 0.1.0\ncommit  dev\ntarget  linux-x64\nbun     1.4.5\n"
 */
export function formatBuildInfo(info: BuildInfo): string {
  return `courier ${info.version}\ncommit  ${info.commit}\ntarget  ${info.target}\nbun     ${info.bun}\n`;
}
