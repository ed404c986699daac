import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasDiffCommand, pokeCommands } from "../../scripts/sandbox/poke.ts";
import { pickPorts, SERVER_PORTS, tcpFree } from "../../scripts/sandbox/ports.ts";

const INPUTS = {
  source: "http://127.0.0.1:8200",
  destinations: [
    { name: "dest-1", address: "http://127.0.0.1:8202" },
    { name: "dest-2", address: "http://127.0.0.1:8204" },
  ],
  courierLog: "/tmp/s/courier.log",
  auditLog: "/tmp/s/source-audit.log",
};

describe("the commands printed to poke at the sandbox", () => {
  test("read on a destination and write on the source with curl, and follow both logs", () => {
    const lines = pokeCommands(INPUTS);
    expect(lines).toContain(
      '    curl -s -H "X-Vault-Token: root" http://127.0.0.1:8202/v1/secret/data/app/db',
    );
    expect(lines).toContain(
      `    curl -s -H "X-Vault-Token: root" -X POST -d '{"data":{"password":"changed"}}' http://127.0.0.1:8200/v1/secret/data/app/db`,
    );
    expect(lines).toContain("    tail -f /tmp/s/courier.log");
    expect(lines.join("\n")).not.toMatch(/vault kv put|bao kv put| diff /);
  });

  test("the policy write is JSON that Vault takes once the shell has removed the single quotes", () => {
    const line = pokeCommands(INPUTS).find((l) => l.includes("sys/policies/acl/ops"))!;
    const body = line.match(/-d '([^']*)'/)?.[1];
    expect(JSON.parse(body!)).toEqual({ policy: 'path "kv/*" { capabilities = ["read"] }' });
  });

  test.each([
    ["vault", "VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=root vault kv put secret/app/db"],
    ["bao", "BAO_ADDR=http://127.0.0.1:8200 BAO_TOKEN=root bao kv put secret/app/db"],
  ] as const)("with %s on PATH, its CLI too", (cli, command) => {
    expect(pokeCommands({ ...INPUTS, cli }).join("\n")).toContain(command);
  });

  test("with a Courier that has `diff`, the diff command against the sandbox's servers", () => {
    const text = pokeCommands({ ...INPUTS, diffBinary: "/opt/courier/courier" }).join("\n");
    expect(text).toContain(
      "VAULT_TOKEN=root COURIER_VAULT_DESTINATIONS_TOKENS=root /opt/courier/courier diff " +
        "--vault.source.address=http://127.0.0.1:8200 " +
        "--vault.destinations.addresses=http://127.0.0.1:8202,http://127.0.0.1:8204",
    );
  });

  test("with Courier serving metrics, a curl for its sync counters", () => {
    const text = pokeCommands({ ...INPUTS, metrics: "http://127.0.0.1:9850/metrics" }).join("\n");
    expect(text).toContain(
      "curl -s http://127.0.0.1:9850/metrics | grep -E '^courier_(sync_total|destination_up)'",
    );
    expect(pokeCommands(INPUTS).join("\n")).not.toContain("/metrics");
  });
});

describe("whether Courier has a diff command", () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-poke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // citty answers an unknown command's --help with the main usage and exit 0.
  test.each([
    ["yes when its help is diff's", "USAGE courier diff [OPTIONS]", true],
    ["no when the main usage answers instead", "USAGE courier run|auditServer|version", false],
  ])("%s", (_name, usage, expected) => {
    const fake = join(dir, `courier-${expected}`);
    writeFileSync(fake, `#!/bin/sh\necho "${usage}"\n`);
    chmodSync(fake, 0o755);
    expect(hasDiffCommand(fake)).toBe(expected);
  });
});

describe("the sandbox's ports", () => {
  test("a documented port in use is replaced by a free one, never by one already picked", async () => {
    // Hold the first server port (it may be held by something else already: the same follows).
    const holder: Server = createServer();
    const held = await new Promise<boolean>((resolve) => {
      holder.once("error", () => resolve(false));
      holder.listen({ host: "127.0.0.1", port: SERVER_PORTS[0] }, () => resolve(true));
    });
    try {
      const ports = await pickPorts(true);
      expect(ports.servers[0]).not.toBe(SERVER_PORTS[0]);
      expect(new Set([...ports.servers, ...ports.servers.map((p) => p + 1)]).size).toBe(6);
      expect(await Promise.all(ports.servers.map((p) => tcpFree(p)))).toEqual([true, true, true]);
    } finally {
      if (held) await new Promise((resolve) => holder.close(resolve));
    }
  });
});
