// courier setup against two Vault doubles: enabling the audit device, idempotency, conflicts,
// --force, the stand-in listener, OpenBao's refusal, the dry run and a file:// address.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSetup, setupChoices } from "../../src/setup/run.ts";
import {
  auditPaths,
  captured,
  configFrom,
  failure,
  freeTcpPort,
  startTestVault,
  type TestVault,
  udpListener,
  vaultFlags,
  waitFor,
} from "./helpers.ts";

let source: TestVault;
let destination: TestVault;
let courier: Awaited<ReturnType<typeof udpListener>>;
let scratch: string;

beforeEach(async () => {
  source = await startTestVault("hvs.source-root-token");
  destination = await startTestVault("hvs.destination-root-token");
  courier = await udpListener();
  scratch = mkdtempSync(join(tmpdir(), "courier-setup-"));
});

afterEach(async () => {
  courier.close();
  await source.double.stop();
  await destination.double.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs setup in this process with these flags on top of the two doubles; returns code and output. */
async function setup(flags: string[] = [], settings: string[] = []) {
  const config = await configFrom([
    ...vaultFlags(source, destination),
    `--vault.audit_address=127.0.0.1:${courier.port}`,
    ...settings,
  ]);
  const io = captured();
  const parsed = Object.fromEntries(
    flags.map((flag) => {
      const [name, value] = flag.replace(/^--/, "").split("=");
      return [name as string, value ?? true];
    }),
  );
  const code = await runSetup(config, setupChoices(parsed), { output: io.output });
  return { code, out: io.out(), err: io.err() };
}

async function devices(): Promise<Record<string, { type: string; options: Record<string, string> }>> {
  const reply = await source.api("GET", "sys/audit");
  expect(reply.status).toBe(200);
  return reply.body.data;
}

describe("a fresh setup", () => {
  test("enables the socket device, and Vault's test entry reaches Courier's address", async () => {
    const run = await setup();
    expect(run.code).toBe(0);
    expect(run.out).toContain(`enabled audit device courier/ (socket, udp to 127.0.0.1:${courier.port})`);
    expect((await devices())["courier/"]).toMatchObject({
      type: "socket",
      description: "Courier audit device",
      options: { address: `127.0.0.1:${courier.port}`, socket_type: "udp", elide_list_responses: "true" },
    });
    await waitFor(() => courier.lines.length > 0, "the test entry");
    expect(auditPaths(courier.lines)[0]).toBe("sys/audit/test");
  });

  test("reports each Vault it reached and the preflight's verdict", async () => {
    const run = await setup();
    expect(run.out.split("\n").slice(0, 3)).toEqual([
      `source ${source.address}: reachable (active), token policies [root], never expires`,
      `destination 1 ${destination.address}: reachable (active), token policies [root], never expires`,
      "preflight: every Vault answers and every token has the rights Courier needs",
    ]);
  });

  test("warns when the device would be the source's only one, and offers --file-audit", async () => {
    const run = await setup();
    expect(run.err).toContain("courier: warning: courier/ will be the source's only audit device.");
    expect(run.err).toContain("rerun with --file-audit /var/log/vault/audit.log");
  });

  test("over UDP, warns that an entry too large for a datagram is lost and points large secrets elsewhere", async () => {
    const run = await setup();
    expect(run.err).toContain(
      "An audit entry too large for one UDP datagram (about 64 KB: a secret with many or long fields) is lost whatever Courier does; with no other device Vault refuses that request (500).",
    );
    expect(run.err).toContain(
      "For large secrets use a tcp:// address or a file device (file://) instead of UDP.",
    );
  });

  test("says nothing of an only device when the source has another one, but still names UDP's size limit", async () => {
    const other = await source.api("PUT", "sys/audit/file", {
      type: "file",
      options: { file_path: join(scratch, "a.log") },
    });
    expect(other.status).toBe(204);
    const run = await setup();
    expect(run.err).toBe("");
    expect(run.out).toContain(
      "An audit entry too large for one UDP datagram (about 64 KB: a secret with many or long fields) is lost whatever Courier does; the full passes repair what it missed.",
    );
  });
});

describe("a second run", () => {
  test("finds the same device, changes nothing and exits 0", async () => {
    await setup();
    await waitFor(() => courier.lines.length > 0, "the first test entry");
    const before = await devices();
    const seen = courier.lines.length;
    const again = await setup();
    expect(again.code).toBe(0);
    expect(again.out).toContain("audit device courier/ is already enabled with these options: nothing to do");
    expect(again.out).not.toContain("enabled audit device");
    expect(await devices()).toEqual(before);
    await Bun.sleep(50);
    expect(auditPaths(courier.lines.slice(seen))).not.toContain("sys/audit/test");
  });
});

describe("a device an older setup enabled, which writes every key of a LIST into its entry", () => {
  beforeEach(async () => {
    const older = { type: "socket", options: { address: `127.0.0.1:${courier.port}`, socket_type: "udp" } };
    expect((await source.api("PUT", "sys/audit/courier", older)).status).toBe(204);
  });

  test("is reported, and left as it was", async () => {
    const error = await failure(setup());
    expect(error.exitCode).toBe(7);
    expect(error.message.split("\n")[0]).toBe(
      `source ${source.address} already has an audit device at courier/ with other options: elide_list_responses is "false", not "true"`,
    );
    expect((await devices())["courier/"]?.options.elide_list_responses).toBeUndefined();
  });

  test("is changed with --force, after which a LIST's entry carries the count of keys", async () => {
    const run = await setup(["--force"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`replaced audit device courier/ (socket, udp to 127.0.0.1:${courier.port})`);
    expect((await devices())["courier/"]?.options.elide_list_responses).toBe("true");
    for (const key of ["a", "b", "c"]) {
      expect((await source.api("POST", `secret/data/folder/${key}`, { data: { v: key } })).status).toBe(200);
    }
    expect((await source.api("GET", "secret/metadata/folder/?list=true")).body.data.keys).toEqual([
      "a",
      "b",
      "c",
    ]);
    const listed = () =>
      courier.lines
        .map((line) => JSON.parse(line))
        // The test's own LIST, not the preflight's (sys/namespaces) the old device saw.
        .find(
          (e) =>
            e.type === "response" && e.request.operation === "list" && e.request.path.startsWith("secret/"),
        );
    await waitFor(() => listed() !== undefined, "the LIST's response entry");
    expect(listed().response.data).toEqual({ keys: 3 });
  });
});

describe("a device at that path with other options", () => {
  beforeEach(async () => {
    const other = {
      type: "socket",
      options: {
        address: `127.0.0.1:${courier.port}`,
        socket_type: "udp",
        elide_list_responses: "true",
        log_raw: "true",
      },
    };
    expect((await source.api("PUT", "sys/audit/courier", other)).status).toBe(204);
  });

  test("is an error naming each difference, and the device stays as it was", async () => {
    const error = await failure(setup());
    expect(error.exitCode).toBe(7);
    expect(error.message.split("\n")).toEqual([
      `source ${source.address} already has an audit device at courier/ with other options: log_raw is "true", not "false"`,
      "rerun with --force to replace it, or set --vault.audit_path to enable Courier's device elsewhere",
    ]);
    expect((await devices())["courier/"]?.options.log_raw).toBe("true");
  });

  test("is replaced with --force", async () => {
    const run = await setup(["--force"]);
    expect(run.out).toContain(`replaced audit device courier/ (socket, udp to 127.0.0.1:${courier.port})`);
    expect((await devices())["courier/"]?.options).toEqual({
      address: `127.0.0.1:${courier.port}`,
      socket_type: "udp",
      elide_list_responses: "true",
    });
  });
});

describe("a TCP or unix address", () => {
  test("when nothing listens, setup listens itself for the test entry, then lets the port go", async () => {
    const port = freeTcpPort();
    const file = join(scratch, "vault-audit.log");
    const run = await setup([`--file-audit=${file}`], [`--vault.audit_address=tcp://127.0.0.1:${port}`]);
    expect(run.out).toContain(`enabled audit device courier-file/ (file ${file})`);
    expect(run.out).toContain(`enabled audit device courier/ (socket, tcp to 127.0.0.1:${port})`);
    expect(run.out).toContain(
      `Vault's test entry reached tcp://127.0.0.1:${port}, where setup listened in Courier's place`,
    );
    expect(Object.keys(await devices()).sort()).toEqual(["courier-file/", "courier/"]);
    // The port is free again for Courier, and Vault still answers through the file device.
    const again = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    again.stop(true);
    expect((await source.api("GET", "sys/mounts")).status).toBe(200);
    expect(readFileSync(file, "utf8")).toContain('"path":"sys/mounts"');
  });

  test("when Courier already listens, the test entry reaches Courier and setup does not stand in", async () => {
    const lines: string[] = [];
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data: (_s, data) => void lines.push(...new TextDecoder().decode(data).split("\n").filter(Boolean)),
      },
    });
    try {
      const run = await setup([], [`--vault.audit_address=tcp://127.0.0.1:${listener.port}`]);
      expect(run.out).toContain(`enabled audit device courier/ (socket, tcp to 127.0.0.1:${listener.port})`);
      expect(run.out).not.toContain("in Courier's place");
      await waitFor(() => lines.length > 0, "the test entry");
      expect(auditPaths(lines)[0]).toBe("sys/audit/test");
    } finally {
      listener.stop(true);
    }
  });

  test("a unix socket: setup listens on the socket file for the moment and removes it afterwards", async () => {
    const socket = join(scratch, "audit.sock");
    const run = await setup(
      [`--file-audit=${join(scratch, "vault-audit.log")}`],
      [`--vault.audit_address=unix://${socket}`],
    );
    expect(run.out).toContain(
      `Vault's test entry reached unix://${socket}, where setup listened in Courier's place`,
    );
    expect((await devices())["courier/"]?.options).toEqual({
      address: socket,
      socket_type: "unix",
      elide_list_responses: "true",
    });
    expect(existsSync(socket)).toBe(false);
  });
});

describe("OpenBao, which refuses to create audit devices through the API", () => {
  const refusal =
    "cannot enable audit device via API; use declarative, config-based audit device management instead";

  beforeEach(async () => {
    // The double has no such switch: its fault injection answers exactly what OpenBao answers.
    const rule = { kind: "status", status: 400, path: "sys/audit/*", method: "PUT", errors: [refusal] };
    expect((await source.api("POST", "_double/faults", [rule])).status).toBe(200);
  });

  test("gets the server-config block to add instead, and setup fails with what to do", async () => {
    const io = captured();
    const config = await configFrom([
      ...vaultFlags(source, destination),
      `--vault.audit_address=127.0.0.1:${courier.port}`,
    ]);
    const error = await failure(runSetup(config, setupChoices({}), { output: io.output }));
    expect(error.exitCode).toBe(7);
    expect(error.message).toBe(
      "the source does not create audit devices through its API: add the audit block printed above to its server configuration",
    );
    expect(io.out()).toContain(
      [
        'audit "socket" "courier" {',
        '  description = "Courier audit device"',
        "  options {",
        `    address              = "127.0.0.1:${courier.port}"`,
        '    elide_list_responses = "true"',
        '    socket_type          = "udp"',
        "  }",
        "}",
      ].join("\n"),
    );
    expect(io.out()).toContain("unsafe_allow_api_audit_creation");
    expect(await devices()).toEqual({});
  });

  test("with --file-audit, both blocks are printed", async () => {
    const file = join(scratch, "vault-audit.log");
    const io = captured();
    const config = await configFrom([
      ...vaultFlags(source, destination),
      `--vault.audit_address=127.0.0.1:${courier.port}`,
    ]);
    await failure(runSetup(config, setupChoices({ "file-audit": file }), { output: io.output }));
    expect(io.out()).toContain(`audit "file" "courier-file" {`);
    expect(io.out()).toContain(`    file_path = ${JSON.stringify(file)}`);
    expect(io.out()).toContain(`audit "socket" "courier" {`);
  });
});

describe("--dry-run", () => {
  test("prints every call and file, sends only reads, and changes nothing", async () => {
    const config = join(scratch, "courier.yaml");
    const run = await setup(["--dry-run", `--write-config=${config}`]);
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    expect(lines[0]).toStartWith("dry run: nothing will be changed");
    for (const call of [
      `GET ${source.address}/v1/sys/health`,
      `GET ${source.address}/v1/auth/token/lookup-self`,
      `GET ${source.address}/v1/sys/mounts`,
      `POST ${source.address}/v1/sys/capabilities-self`,
      `GET ${destination.address}/v1/sys/health`,
      `POST ${destination.address}/v1/sys/capabilities-self`,
      `GET ${source.address}/v1/sys/audit`,
    ])
      expect(lines).toContain(call);
    expect(lines).toContain(
      `would send PUT ${source.address}/v1/sys/audit/courier {"type":"socket","description":"Courier audit device","options":{"address":"127.0.0.1:${courier.port}","socket_type":"udp","elide_list_responses":"true"}}`,
    );
    expect(lines).toContain(`would write ${join(scratch, "courier-source.token")} (mode 0600)`);
    expect(lines).toContain(`would write ${config} (mode 0644)`);
    expect(run.out).not.toContain(source.double.rootToken);
    expect(await devices()).toEqual({});
    expect(existsSync(config)).toBe(false);
    await Bun.sleep(50);
    expect(courier.lines).toEqual([]);
  });
});

describe("a file:// audit address", () => {
  test("needs no socket device: setup says so, enables nothing, and asks for no sys/audit rights", async () => {
    const token = await source.tokenWith(
      'path "sys/mounts" { capabilities = ["read"] }\npath "secret/*" { capabilities = ["read", "list"] }\npath "sys/policies/acl/*" { capabilities = ["read", "list"] }',
    );
    const config = await configFrom([
      ...vaultFlags(source, destination, { source: token }),
      "--vault.audit_address=file:///var/log/vault/audit.log",
    ]);
    const io = captured();
    expect(await runSetup(config, setupChoices({}), { output: io.output })).toBe(0);
    expect(io.out()).toContain(
      "vault.audit_address is file:///var/log/vault/audit.log: Courier tails the file Vault's file audit device writes, so no socket device is needed and none is enabled",
    );
    expect(await devices()).toEqual({});
  });
});
