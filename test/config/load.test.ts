import { afterAll, describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../src/config/load.ts";
import type { CourierError } from "../../src/errors.ts";
import { load, problemsOf, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());

describe("each invalid value gives one message naming the setting, its source and what is wrong", () => {
  test.each([
    [
      ["--worker.concurrency=0"],
      'worker.concurrency (flag --worker.concurrency): must be a whole number of at least 1, got "0"',
    ],
    [
      ["--worker.queue_size=lots"],
      'worker.queue_size (flag --worker.queue_size): must be a whole number of at least 1, got "lots"',
    ],
    [
      ["--sync.interval=15 minutes"],
      'sync.interval (flag --sync.interval): must be a duration such as "500ms", "30s", "15m", "1h30m", or 0, got "15 minutes"',
    ],
    [["--retry.initial=0"], 'retry.initial (flag --retry.initial): must be longer than 0, got "0"'],
    [
      ["--audit.udp_receive_buffer=8 megs"],
      'audit.udp_receive_buffer (flag --audit.udp_receive_buffer): must be a size in bytes, or with a unit such as "64KiB", "8MiB", "1MB", got "8 megs"',
    ],
    [
      ["--audit.max_line_bytes=10"],
      'audit.max_line_bytes (flag --audit.max_line_bytes): must be at least 1024 bytes, got "10"',
    ],
    [
      ["--audit.format=jsonx"],
      'audit.format (flag --audit.format): jsonx is not supported: it is XML without line framing; set the audit device\'s format to json, got "jsonx"',
    ],
    [["--audit.format=yaml"], 'audit.format (flag --audit.format): must be one of json, got "yaml"'],
    [["--log.format=xml"], 'log.format (flag --log.format): must be one of auto, json, pretty, got "xml"'],
    [
      ["--sync.policies=yes"],
      'sync.policies (flag --sync.policies): must be true or false (also accepted: 1, 0, t, f, TRUE, FALSE), got "yes"',
    ],
    [
      ["--vault.source.address=vault:8200"],
      'vault.source.address (flag --vault.source.address): must be an http:// or https:// URL such as "https://vault.example:8200", got "vault:8200"',
    ],
    [
      ["--vault.destinations.addresses=http://ok:1,dr2:8200"],
      'vault.destinations.addresses (flag --vault.destinations.addresses): item "dr2:8200" must be an http:// or https:// URL such as "https://vault.example:8200", got "http://ok:1,dr2:8200"',
    ],
    [
      ["--vault.audit_allow=10.0.0.0/33"],
      'vault.audit_allow (flag --vault.audit_allow): item "10.0.0.0/33" must be an IP address or CIDR such as "10.0.0.0/8" or "::1/128", got "10.0.0.0/33"',
    ],
    [
      ["--vault.audit_address=http://0.0.0.0:1269"],
      'vault.audit_address (flag --vault.audit_address): must be host:port (UDP), udp://host:port, tcp://host:port, unix:///path/to/socket or file:///path/to/audit.log, got "http://0.0.0.0:1269"',
    ],
    [
      ["--http.address=9850"],
      'http.address (flag --http.address): must be host:port, such as "127.0.0.1:1269" or "[::1]:1269", got "9850"',
    ],
    [
      ["--vault.audit_path=a b"],
      'vault.audit_path (flag --vault.audit_path): must be an audit device path such as "courier", got "a b"',
    ],
    [
      ["--retry.initial=2m", "--retry.max=1m"],
      "retry.initial (flag --retry.initial): must not be longer than retry.max",
    ],
  ])("%p", async (argv, problem) => {
    expect(await problemsOf({ argv }, where)).toEqual([problem]);
  });

  test("every problem is reported at once, one line each", async () => {
    const problems = await problemsOf(
      {
        argv: ["--worker.concurrency=x", "--log.level=loud", "--bogus"],
        env: { COURIER_SYNC_INTERVAL: "soon", VAULT_SKIP_VERIFY: "nope" },
      },
      where,
    );
    expect(problems).toEqual([
      "unknown flag --bogus",
      'vault.source.tls.skip_verify (env VAULT_SKIP_VERIFY): must be true or false (also accepted: 1, 0, t, f, TRUE, FALSE), got "nope"',
      'worker.concurrency (flag --worker.concurrency): must be a whole number of at least 1, got "x"',
      'sync.interval (env COURIER_SYNC_INTERVAL): must be a duration such as "500ms", "30s", "15m", "1h30m", or 0, got "soon"',
      'log.level (flag --log.level): must be one of error, warn, info, debug, trace, got "loud"',
    ]);
  });

  test("the error is a CONFIG_INVALID CourierError: exit code 2", async () => {
    const error = await load({ argv: ["--log.level=loud"] }, where).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as CourierError).code).toBe("CONFIG_INVALID");
    expect((error as CourierError).exitCode).toBe(2);
  });

  test("a token's value is never repeated in a message", async () => {
    const problems = await problemsOf(
      {
        file: "vault:\n  source:\n    token: [hvs.notastring]\n  destinations:\n    tokens: { a: hvs.inamapping }\n",
      },
      where,
    );
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).not.toContain("hvs.");
    expect(problems[0]).toBe(`vault.source.token (file ${where.dir}/courier.yaml): must be a string`);
  });
});

describe("the config file", () => {
  const path = () => `${where.dir}/courier.yaml`;

  test("nested YAML keys are the dotted settings", async () => {
    const { config } = await load(
      {
        file: `
vault:
  source: { address: "https://vault.example:8200" }
  audit_allow: [10.0.0.0/8, 192.0.2.7]
sync:
  mounts: secret, team/kv
  interval: 1h30m
  prune: true
audit:
  udp_receive_buffer: 16MiB
  max_line_bytes: 65536
worker:
  concurrency: 3
`,
      },
      where,
    );
    expect(config.vault.source.address).toBe("https://vault.example:8200");
    expect(config.vault.audit_allow).toEqual(["10.0.0.0/8", "192.0.2.7/32"]);
    expect(config.sync).toMatchObject({ mounts: ["secret/", "team/kv/"], interval: 5_400_000, prune: "all" });
    expect(config.audit).toMatchObject({ udp_receive_buffer: 16 * 1024 * 1024, max_line_bytes: 65_536 });
    expect(config.worker.concurrency).toBe(3);
  });

  test("worker.concurrency defaults to one worker per core but one, and never to none", async () => {
    const { config } = await load({}, where);
    expect(config.worker.concurrency).toBe(Math.max(1, availableParallelism() - 1));
  });

  test("an empty value in the file counts as not set", async () => {
    const { config } = await load({ file: "log:\n  level:\nsync:\n" }, where);
    expect(config.log.level).toBe("info");
  });

  test("unknown keys are errors, with a suggestion where one is close", async () => {
    expect(
      await problemsOf(
        { file: "vault:\n  sorce:\n    address: http://x\nsync:\n  intervall: 5m\ncolour: blue\n" },
        where,
      ),
    ).toEqual([
      `vault.sorce (file ${path()}): unknown setting; did you mean vault.source?`,
      `sync.intervall (file ${path()}): unknown setting; did you mean sync.interval?`,
      `colour (file ${path()}): unknown setting`,
    ]);
  });

  test("a section given as a value is refused", async () => {
    expect(await problemsOf({ file: "vault:\n  source: http://127.0.0.1:8200\n" }, where)).toEqual([
      `vault.source (file ${path()}): must be a mapping of settings`,
    ]);
  });

  test("broken YAML and a missing file are reported with the file's name", async () => {
    const broken = await problemsOf({ file: "vault: [unclosed\n" }, where);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toStartWith(`config file ${path()} (flag --config): not valid YAML`);
    const missing = await problemsOf({ env: { COURIER_CONFIG: `${where.dir}/nope.yaml` } }, where);
    expect(missing).toEqual([
      `config file ${where.dir}/nope.yaml (env COURIER_CONFIG): cannot be read: no such file`,
    ]);
  });

  test("COURIER_* variables that are no setting are warned about, not silently ignored", async () => {
    const { warnings } = await load({ env: { COURIER_SYNC_INTERVALL: "5m", COURIER_BIN: "/x" } }, where);
    expect(warnings).toEqual([
      "environment variable COURIER_SYNC_INTERVALL is not a Courier setting and is ignored; did you mean COURIER_SYNC_INTERVAL?",
    ]);
  });
});
