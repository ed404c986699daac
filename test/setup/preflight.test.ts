// The preflight against Vault doubles, with tokens made there with narrow policies: every right
// Courier needs, taken away one at a time, is reported as exactly one line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Capability,
  destinationRights,
  type Right,
  type RightsScope,
  renderPolicy,
  setupRights,
  sourceRights,
} from "../../src/setup/rights.ts";
import { runSetup, setupChoices } from "../../src/setup/run.ts";
import {
  captured,
  configFrom,
  failure,
  freeTcpPort,
  startTestVault,
  type TestVault,
  vaultFlags,
} from "./helpers.ts";

let source: TestVault;
let destination: TestVault;

const SCOPE: RightsScope = {
  mounts: [
    { path: "secret/", version: 2 },
    { path: "kv1/", version: 1 },
  ],
  policies: true,
  createMounts: true,
};
const SCOPE_FLAGS = ["--sync.mounts=secret/,kv1/"];
const STOPPED =
  "setup stopped after the preflight (1 problem); `courier setup policy` prints the policies Courier's tokens need";

beforeAll(async () => {
  source = await startTestVault();
  destination = await startTestVault();
  expect((await source.api("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } })).status).toBe(
    204,
  );
});

afterAll(async () => {
  await source.double.stop();
  await destination.double.stop();
});

/** The error lines of a setup that should stop at the preflight. */
async function preflightProblems(tokens: { source?: string; destination?: string }, more: string[] = []) {
  const config = await configFrom([...vaultFlags(source, destination, tokens), ...SCOPE_FLAGS, ...more]);
  const error = await failure(runSetup(config, setupChoices({}), { output: captured().output }));
  expect(error.exitCode).toBe(7);
  return error.message.split("\n");
}

/** Every right but one capability, as a policy. */
function allBut(rights: readonly Right[], path: string, capability: Capability): string {
  const kept = rights
    .map((right) => ({
      ...right,
      capabilities:
        right.path === path ? right.capabilities.filter((c) => c !== capability) : right.capabilities,
    }))
    .filter((right) => right.capabilities.length > 0);
  return renderPolicy("narrow", "all but one", kept);
}

function each(rights: readonly Right[]): [string, Capability][] {
  return rights.flatMap((right) => right.capabilities.map((c): [string, Capability] => [right.path, c]));
}

const SOURCE_RIGHTS = [...sourceRights(SCOPE), ...setupRights(["courier"], false)];
const DESTINATION_RIGHTS = destinationRights(SCOPE);

describe("a source token missing one right", () => {
  test.each(each(SOURCE_RIGHTS))("without %s %s: one line names it", async (path, capability) => {
    const token = await source.tokenWith(allBut(SOURCE_RIGHTS, path, capability));
    expect(await preflightProblems({ source: token })).toEqual([
      `source ${source.address} lacks "${capability}" on ${path}: path "${path}" { capabilities = ["${capability}"] }`,
      STOPPED,
    ]);
  });
});

describe("a destination token missing one right", () => {
  test.each(each(DESTINATION_RIGHTS))("without %s %s: one line names it", async (path, capability) => {
    const token = await destination.tokenWith(allBut(DESTINATION_RIGHTS, path, capability));
    expect(await preflightProblems({ destination: token })).toEqual([
      `destination 1 ${destination.address} lacks "${capability}" on ${path}: path "${path}" { capabilities = ["${capability}"] }`,
      STOPPED,
    ]);
  });
});

describe("tokens with exactly what courier setup policy prints", () => {
  test("pass the preflight", async () => {
    const sourceToken = await source.tokenWith(renderPolicy("s", "source", SOURCE_RIGHTS));
    const destinationToken = await destination.tokenWith(
      renderPolicy("d", "destination", DESTINATION_RIGHTS),
    );
    const config = await configFrom([
      ...vaultFlags(source, destination, { source: sourceToken, destination: destinationToken }),
      ...SCOPE_FLAGS,
      "--vault.audit_address=file:///var/log/vault/audit.log",
    ]);
    const io = captured();
    expect(await runSetup(config, setupChoices({}), { output: io.output })).toBe(0);
    expect(io.out()).toContain("preflight: every Vault answers and every token has the rights Courier needs");
  });
});

describe("a token with only the default policy", () => {
  test("gets one line for each right it lacks, every Vault checked before setup stops", async () => {
    const bare = await destination.tokenWith("");
    const lines = await preflightProblems({ destination: bare });
    const at = `destination 1 ${destination.address} lacks`;
    expect(lines).toEqual([
      `${at} "create" on secret/data/*: path "secret/data/*" { capabilities = ["create"] }`,
      `${at} "read" on secret/data/*: path "secret/data/*" { capabilities = ["read"] }`,
      `${at} "update" on secret/data/*: path "secret/data/*" { capabilities = ["update"] }`,
      `${at} "delete" on secret/data/*: path "secret/data/*" { capabilities = ["delete"] }`,
      `${at} "create" on secret/metadata/*: path "secret/metadata/*" { capabilities = ["create"] }`,
      `${at} "read" on secret/metadata/*: path "secret/metadata/*" { capabilities = ["read"] }`,
      `${at} "update" on secret/metadata/*: path "secret/metadata/*" { capabilities = ["update"] }`,
      `${at} "delete" on secret/metadata/*: path "secret/metadata/*" { capabilities = ["delete"] }`,
      `${at} "list" on secret/metadata/*: path "secret/metadata/*" { capabilities = ["list"] }`,
      `${at} "update" on secret/delete/*: path "secret/delete/*" { capabilities = ["update"] }`,
      `${at} "update" on secret/undelete/*: path "secret/undelete/*" { capabilities = ["update"] }`,
      `${at} "update" on secret/destroy/*: path "secret/destroy/*" { capabilities = ["update"] }`,
      `${at} "create" on kv1/*: path "kv1/*" { capabilities = ["create"] }`,
      `${at} "read" on kv1/*: path "kv1/*" { capabilities = ["read"] }`,
      `${at} "update" on kv1/*: path "kv1/*" { capabilities = ["update"] }`,
      `${at} "delete" on kv1/*: path "kv1/*" { capabilities = ["delete"] }`,
      `${at} "list" on kv1/*: path "kv1/*" { capabilities = ["list"] }`,
      `${at} "read" on sys/policies/acl/*: path "sys/policies/acl/*" { capabilities = ["read"] }`,
      `${at} "update" on sys/policies/acl/*: path "sys/policies/acl/*" { capabilities = ["update"] }`,
      `${at} "delete" on sys/policies/acl/*: path "sys/policies/acl/*" { capabilities = ["delete"] }`,
      `${at} "list" on sys/policies/acl/*: path "sys/policies/acl/*" { capabilities = ["list"] }`,
      `${at} "update" on sys/mounts/*: path "sys/mounts/*" { capabilities = ["update"] }`,
      STOPPED.replace("1 problem", "22 problems"),
    ]);
  });
});

describe("Vaults and tokens setup cannot work with", () => {
  test("an unreachable destination, a revoked source token: both reported, nothing enabled", async () => {
    const token = await source.tokenWith("");
    expect((await source.api("POST", "auth/token/revoke", { token })).status).toBe(204);
    const port = freeTcpPort();
    const config = await configFrom([
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${token}`,
      `--vault.destinations.addresses=http://127.0.0.1:${port}`,
      "--vault.destinations.tokens=whatever",
    ]);
    const error = await failure(runSetup(config, setupChoices({}), { output: captured().output }));
    expect(error.message.split("\n")).toEqual([
      `source ${source.address} refused the token (auth/token/lookup-self: permission denied): it is unknown, expired or revoked`,
      `destination 1 http://127.0.0.1:${port} cannot be reached: ECONNREFUSED`,
      STOPPED.replace("1 problem", "2 problems"),
    ]);
    expect(error.message).not.toContain(token);
    expect((await source.api("GET", "sys/audit")).body.data).toEqual({});
  });

  test("a sealed source", async () => {
    expect((await source.api("POST", "_double/seal")).status).toBe(204);
    try {
      expect((await preflightProblems({}))[0]).toBe(`source ${source.address} is sealed`);
    } finally {
      await source.api("POST", "_double/unseal");
    }
  });

  test("a mount in sync.mounts that the source does not have, or that is not KV", async () => {
    expect((await source.api("POST", "sys/mounts/transit", { type: "transit" })).status).toBe(204);
    const lines = await preflightProblems({}, ["--sync.mounts=secret/,nope/,transit/"]);
    expect(lines.slice(0, 2)).toEqual([
      `sync.mounts names nope/, which source ${source.address} does not have`,
      `sync.mounts names transit/, which is a transit mount on source ${source.address}, not KV`,
    ]);
  });

  test("a source token that cannot read sys/mounts still has the named mounts looked up one by one", async () => {
    const rights = SOURCE_RIGHTS.filter((right) => right.path !== "sys/mounts");
    const token = await source.tokenWith(renderPolicy("no-mounts", "", rights));
    const lines = await preflightProblems({ source: token });
    expect(lines).toEqual([
      `source ${source.address} lacks "read" on sys/mounts: path "sys/mounts" { capabilities = ["read"] }`,
      STOPPED,
    ]);
  });
});
