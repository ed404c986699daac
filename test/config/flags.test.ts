import { afterAll, describe, expect, test } from "bun:test";
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
  ])("%p sets sync.prune to %p", (argv, value) => {
    const out = parseArgv(argv);
    expect(out.problems).toEqual([]);
    expect(out.layer.get("sync.prune")?.value).toBe(value);
    expect(out.positionals).toEqual([]);
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
