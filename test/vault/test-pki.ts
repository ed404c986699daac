// A throwaway CA, a second unrelated CA, and a server certificate for 127.0.0.1 and vault.test
// signed by the first, made with the openssl command line. null when openssl is not installed.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  ca: string;
  otherCa: string;
  cert: string;
  key: string;
}

export function makeTestPki(): TestPki | null {
  const openssl = Bun.which("openssl");
  if (!openssl) return null;
  const dir = mkdtempSync(join(tmpdir(), "courier-tls-"));
  try {
    const run = (...args: string[]) => {
      const result = Bun.spawnSync([openssl, ...args], { cwd: dir, stderr: "pipe", stdout: "pipe" });
      if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.toString()}`);
    };
    const selfSigned = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"];
    run(...selfSigned, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Courier Test CA");
    run(...selfSigned, "-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=Other CA");
    run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "srv.key",
      "-out",
      "srv.csr",
      "-subj",
      "/CN=vault.test",
    );
    Bun.spawnSync(["sh", "-c", "echo subjectAltName=IP:127.0.0.1,DNS:vault.test > ext.cnf"], { cwd: dir });
    run(
      ...["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
      ...["-days", "1", "-extfile", "ext.cnf", "-out", "srv.pem"],
    );
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { ca: read("ca.pem"), otherCa: read("other.pem"), cert: read("srv.pem"), key: read("srv.key") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
