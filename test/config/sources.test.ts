import { afterAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { parseArgv } from "../../src/config/sources.ts";
import { load, problemsOf, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());

describe("the original Go Courier's flags keep working", () => {
  test("the auditServer command line of the Go Courier loads unchanged", async () => {
    const { config } = await load(
      {
        argv: [
          "--vault.source.address",
          "http://127.0.0.1:8200",
          "--vault.source.token=hvs.sourcetoken",
          "--vault.audit_address=127.0.0.1:1269",
          "--vault.destinations.addresses",
          "http://127.0.0.1:8201,http://127.0.0.1:8202",
          "--vault.destinations.tokens=hvs.dest1,hvs.dest2",
          "--worker.concurrency=8",
          "--worker.queue_size",
          "64",
          "--vault.audit_path=/courier",
          "--vault.audit_description=Courier audit device",
        ],
        needs: { source: true, destinations: true },
      },
      where,
    );
    expect(config.vault.source.address).toBe("http://127.0.0.1:8200");
    expect(config.vault.source.token).toBe("hvs.sourcetoken");
    expect(config.vault.audit_address).toBe("127.0.0.1:1269");
    expect(config.vault.destinations.list.map((d) => [d.address, d.token])).toEqual([
      ["http://127.0.0.1:8201", "hvs.dest1"],
      ["http://127.0.0.1:8202", "hvs.dest2"],
    ]);
    expect(config.worker).toEqual({ concurrency: 8, queue_size: 64 });
    // The Go default was "/courier"; Vault's API takes the path without the slash.
    expect(config.vault.audit_path).toBe("courier");
  });

  test("dashes and underscores in a flag name are the same", async () => {
    const token = where.file("dashed.token", "hvs.fromdashedflag\n");
    const { config } = await load({ argv: [`--vault.source.token-file=${token}`] }, where);
    expect(config.vault.source.token).toBe("hvs.fromdashedflag");
  });
});

describe("reading the command line", () => {
  test.each([
    [["--sync.prune"], "true"],
    [["--sync.prune=false"], "false"],
    [["--sync.prune", "false"], "false"],
    [["--no-sync.prune"], "false"],
    [["--sync.prune", "managed"], "managed"],
    [["--sync.prune", "all"], "all"],
    [["--sync.prune=off"], "off"],
  ])("%p sets sync.prune to %p", (argv, value) => {
    const out = parseArgv(argv);
    expect(out.problems).toEqual([]);
    expect(out.layer.get("sync.prune")?.value).toBe(value);
    expect(out.positionals).toEqual([]);
  });

  test.each([
    [["--sync.prune"], "all"],
    [["--sync.prune=true"], "all"],
    [["--no-sync.prune"], "off"],
    [["--sync.prune=managed"], "managed"],
    [[], "managed"],
  ])("sync.prune, once a boolean, reads %p as %p", async (argv, mode) => {
    const { config } = await loadConfig({ argv, env: {} });
    expect(config.sync.prune as string).toBe(mode);
  });

  test("sync.prune refuses a word it does not know, naming the choices", async () => {
    await expect(loadConfig({ argv: ["--sync.prune=some"], env: {} })).rejects.toThrow(
      "must be one of managed, all, off",
    );
  });

  test("--no- works with dashed names too", () => {
    expect(parseArgv(["--no-sync.create-mounts"]).layer.get("sync.create_mounts")?.value).toBe("false");
  });

  test("a boolean flag does not swallow the argument after it unless it is true or false", () => {
    const out = parseArgv(["--sync.prune", "audit.log"]);
    expect(out.layer.get("sync.prune")?.value).toBe("true");
    expect(out.positionals).toEqual(["audit.log"]);
  });

  test("a repeated list flag adds to the list; another flag repeated keeps its last value", async () => {
    const { config } = await load(
      {
        argv: ["--sync.mounts=secret", "--sync.mounts", "team/kv/", "--log.level=warn", "--log.level=debug"],
      },
      where,
    );
    expect(config.sync.mounts).toEqual(["secret/", "team/kv/"]);
    expect(config.log.level).toBe("debug");
  });

  test("sync.map and sync.namespaces come from a flag as comma-separated lists; each mapping ends in /", async () => {
    const { config } = await load(
      { argv: ["--sync.map=secret=mirror/,team1/=dr/team1", "--sync.namespaces=team1/**,team2/"] },
      where,
    );
    expect(config.sync.map).toEqual(["secret/=mirror/", "team1/=dr/team1/"]);
    expect(config.sync.namespaces).toEqual(["team1/**", "team2/"]);
    expect(await problemsOf({ argv: ["--sync.map=secret/"] }, where)).toEqual([
      'sync.map (flag --sync.map): item "secret/" must be FROM=TO, two paths ending in "/", e.g. secret/=mirror/, got "secret/"',
    ]);
  });

  test("a command's own flags, -x aliases, -, and everything after -- are told apart from settings", () => {
    const out = parseArgv(["--dry-run", "-f", "json", "-", "--log.level=debug", "--", "--not-a-flag"], {
      "dry-run": { type: "boolean", description: "change nothing" },
      format: { type: "string", description: "output", alias: "f" },
    });
    expect(out.problems).toEqual([]);
    expect(out.command).toEqual({ "dry-run": true, format: "json" });
    expect(out.positionals).toEqual(["-", "--not-a-flag"]);
    expect(out.layer.get("log.level")?.value).toBe("debug");
  });

  test.each([
    [
      ["--vault.sorce.address=http://x"],
      "unknown flag --vault.sorce.address; did you mean --vault.source.address?",
    ],
    [["--source.address=http://x"], "unknown flag --source.address; did you mean --vault.source.address?"],
    [["--worker.concurency", "3"], "unknown flag --worker.concurency; did you mean --worker.concurrency?"],
    [["--frobnicate"], "unknown flag --frobnicate"],
    [["-x"], "unknown flag -x"],
    [["--log.level"], "flag --log.level needs a value (--log.level=VALUE)"],
    [["--log.level", "--sync.prune"], "flag --log.level needs a value (--log.level=VALUE)"],
    [
      ["--vault.destinations.list=x"],
      "flag --vault.destinations.list: vault.destinations.list can only be set in the config file",
    ],
  ])("%p is refused: %s", (argv, problem) => {
    expect(parseArgv(argv).problems).toEqual([problem]);
  });

  test("a stray argument to a command that takes none is refused by name", async () => {
    expect(await problemsOf({ argv: ["--sync.prune", "maybe"] }, where)).toEqual([
      "unexpected argument: maybe",
    ]);
  });
});

type Source = "flag" | "env" | "file";
const ALL: Source[] = ["flag", "env", "file"];

// For a setting, what each source says and what the value then reads as.
const settings = [
  { key: "log.level", flag: "debug", env: "warn", file: "error", fallback: "info" },
  { key: "worker.queue_size", flag: "7", env: "8", file: "9", fallback: 100_000 },
  { key: "sync.interval", flag: "30s", env: "1m", file: "1h", fallback: 900_000 },
  {
    key: "vault.audit_address",
    flag: "tcp://127.0.0.1:1",
    env: "udp://127.0.0.1:2",
    file: "unix:///x.sock",
    fallback: "127.0.0.1:1269",
  },
  { key: "sync.prune", flag: "true", env: "off", file: "managed", fallback: "managed" },
] as const;
const expected: Record<string, (raw: string) => unknown> = {
  "worker.queue_size": Number,
  "sync.interval": (raw) => ({ "30s": 30_000, "1m": 60_000, "1h": 3_600_000 })[raw],
  // The old boolean still reads: true = all, false = off.
  "sync.prune": (raw) => ({ true: "all", false: "off" })[raw] ?? raw,
};

/** Every subset of sources; the strongest one present must win. */
const combinations = Array.from({ length: 8 }, (_, mask) => ALL.filter((_, i) => mask & (1 << i)));

function fileText(key: string, value: string): string {
  const parts = key.split(".");
  return parts
    .map((part, i) => `${"  ".repeat(i)}${part}:${i === parts.length - 1 ? ` "${value}"` : ""}`)
    .join("\n");
}

function read(config: unknown, key: string): unknown {
  return key.split(".").reduce((node, part) => (node as Record<string, unknown>)[part], config);
}

describe("a flag wins over the environment, which wins over the file, which wins over the default", () => {
  for (const setting of settings) {
    test.each(combinations.map((sources) => [sources.join("+") || "nothing", sources] as const))(
      `${setting.key} given by %s`,
      async (_, sources) => {
        const envName = `COURIER_${setting.key.toUpperCase().replaceAll(".", "_")}`;
        const loaded = await load(
          {
            argv: sources.includes("flag") ? [`--${setting.key}=${setting.flag}`] : [],
            env: sources.includes("env") ? { [envName]: setting.env } : {},
            file: sources.includes("file") ? fileText(setting.key, setting.file) : undefined,
          },
          where,
        );
        const winner = ALL.find((source) => sources.includes(source));
        const convert = expected[setting.key] ?? ((raw: string) => raw);
        const want = winner ? convert(setting[winner]) : setting.fallback;
        expect(read(loaded.config, setting.key)).toEqual(want);
        expect(loaded.origins[setting.key]).toBe(
          winner === "flag"
            ? `flag --${setting.key}`
            : winner === "env"
              ? `env ${envName}`
              : winner === "file"
                ? `file ${where.dir}/courier.yaml`
                : undefined,
        );
      },
    );
  }
});

describe("Vault's own variables for the source sit below COURIER_*", () => {
  test("VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE and the TLS variables set the source", async () => {
    const ca = where.file("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    const cert = where.file("client.pem", "cert");
    const key = where.file("client-key.pem", "key");
    const { config } = await load(
      {
        env: {
          VAULT_ADDR: "https://vault.example:8200",
          VAULT_TOKEN: "hvs.fromvaulttoken",
          VAULT_NAMESPACE: "team-a/",
          VAULT_CACERT: ca,
          VAULT_CLIENT_CERT: cert,
          VAULT_CLIENT_KEY: key,
          VAULT_TLS_SERVER_NAME: "vault.internal",
          VAULT_SKIP_VERIFY: "false",
        },
      },
      where,
    );
    expect(config.vault.source).toEqual({
      address: "https://vault.example:8200",
      token: "hvs.fromvaulttoken",
      token_file: "",
      namespace: "team-a/",
      tls: {
        ca_cert: ca,
        client_cert: cert,
        client_key: key,
        server_name: "vault.internal",
        skip_verify: false,
      },
      approle: { mount: "approle", role_id_file: "", secret_id_file: "" },
    });
  });

  test("COURIER_VAULT_SOURCE_ADDRESS beats VAULT_ADDR, and a flag beats both", async () => {
    const env = { VAULT_ADDR: "http://127.0.0.1:1", COURIER_VAULT_SOURCE_ADDRESS: "http://127.0.0.1:2" };
    expect((await load({ env }, where)).config.vault.source.address).toBe("http://127.0.0.1:2");
    const flagged = await load({ env, argv: ["--vault.source.address", "http://127.0.0.1:3"] }, where);
    expect(flagged.config.vault.source.address).toBe("http://127.0.0.1:3");
  });

  test("VAULT_ADDR beats the config file", async () => {
    const loaded = await load(
      {
        env: { VAULT_ADDR: "http://127.0.0.1:4" },
        file: 'vault:\n  source:\n    address: "http://127.0.0.1:5"',
      },
      where,
    );
    expect(loaded.config.vault.source.address).toBe("http://127.0.0.1:4");
    expect(loaded.origins["vault.source.address"]).toBe("env VAULT_ADDR");
  });

  test.each([
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
    ["F", false],
  ])('VAULT_SKIP_VERIFY="%s" means %p', async (raw, skip) => {
    const loaded = await load({ env: { VAULT_SKIP_VERIFY: raw } }, where);
    expect(loaded.config.vault.source.tls.skip_verify).toBe(skip);
    const loud = loaded.warnings.some((w) => w.includes("verification is OFF"));
    expect(loud).toBe(skip);
  });

  test("STATE_DIRECTORY from systemd sets state.dir; the first of several is taken", async () => {
    const loaded = await load({ env: { STATE_DIRECTORY: "/var/lib/courier:/var/lib/other" } }, where);
    expect(loaded.config.state.dir).toBe("/var/lib/courier");
  });
});
