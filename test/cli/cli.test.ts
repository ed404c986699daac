import { describe, expect, test } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import { SETTINGS } from "../../src/config/settings.ts";
import { courier } from "../support/courier-process.ts";

describe("courier version", () => {
  const expected = [
    `courier ${packageJson.version}`,
    "commit  dev",
    `target  ${process.platform}-${process.arch}`,
    `bun     ${Bun.version}`,
    "",
  ].join("\n");

  test("prints version, commit, target and Bun version", async () => {
    expect(await courier(["version"])).toEqual({ code: 0, stdout: expected, stderr: "" });
  });

  test("--version prints the same", async () => {
    expect(await courier(["--version"])).toEqual({ code: 0, stdout: expected, stderr: "" });
  });
});

describe("courier run with a configuration it cannot use", () => {
  test("bad flags exit 2 with one line per problem, naming each flag", async () => {
    const out = await courier([
      "run",
      "--vault.source.address=http://127.0.0.1:8200",
      "--vault.sorce.token=x",
      "--worker.concurrency=none",
      "--sync.interval=soon",
    ]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.split("\n")).toEqual([
      "courier: unknown flag --vault.sorce.token; did you mean --vault.source.token?",
      'courier: worker.concurrency (flag --worker.concurrency): must be a whole number of at least 1, got "none"',
      'courier: sync.interval (flag --sync.interval): must be a duration such as "500ms", "30s", "15m", "1h30m", or 0, got "soon"',
      "",
    ]);
  });

  test("missing tokens and destinations are each named, and no token is echoed", async () => {
    const out = await courier(["auditServer", "--vault.destinations.tokens=hvs.destinationtokenvalue0001"], {
      VAULT_ADDR: "http://127.0.0.1:8200",
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      [
        "courier: vault.source.token (default): no way to log in to the source Vault: set --vault.source.token-file, COURIER_VAULT_SOURCE_TOKEN or VAULT_TOKEN, or vault.source.approle.role_id_file and secret_id_file",
        "courier: vault.destinations.addresses (default): no destination Vault: set --vault.destinations.addresses, or vault.destinations.list in the config file",
        "",
      ].join("\n"),
    );
  });

  test("VAULT_SKIP_VERIFY that is no boolean stops start-up", async () => {
    const out = await courier(["run"], { VAULT_SKIP_VERIFY: "sometimes" });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      'courier: vault.source.tls.skip_verify (env VAULT_SKIP_VERIFY): must be true or false (also accepted: 1, 0, t, f, TRUE, FALSE), got "sometimes"',
    );
  });

  test("a missing config file is named", async () => {
    const out = await courier(["run", "--config", "/nonexistent/courier.yaml"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toStartWith(
      "courier: config file /nonexistent/courier.yaml (flag --config): cannot be read: no such file\n",
    );
  });
});

describe("help and commands", () => {
  test("run --help lists every flag", async () => {
    const out = await courier(["run", "--help"]);
    expect(out.code).toBe(0);
    for (const setting of SETTINGS) if (setting.flag) expect(out.stdout).toContain(`--${setting.flag}`);
    expect(out.stdout).toContain("--config");
  });

  test("the command list names run with its alias auditServer, and version", async () => {
    const out = await courier(["--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("run, auditServer");
    expect(out.stdout).toContain("version");
  });

  test("an unknown command exits 1 and says so", async () => {
    const out = await courier(["replicate"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("Unknown command replicate");
  });
});
