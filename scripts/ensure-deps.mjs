#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but Node.js and npm: installs the pinned Bun and every
// dependency from the lock file when node_modules is missing or older than the lock file.
// Plain Node on purpose: it runs before Bun exists on the machine.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = join(root, "package-lock.json");
const stamp = join(root, "node_modules", ".deps-stamp");
const bun = join(root, "node_modules", ".bin", "bun");

const want = createHash("sha256").update(readFileSync(lock)).digest("hex");
const have = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";

if (want !== have || !existsSync(bun)) {
  console.error("courier: installing Bun and dependencies from package-lock.json (npm ci)…");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, `${want}\n`);
}
