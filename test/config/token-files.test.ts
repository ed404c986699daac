import { afterAll, describe, expect, test } from "bun:test";
import { defaultAllowlist } from "../../src/config/addresses.ts";
import { load, problemsOf, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());

describe("tokens given as files", () => {
  test("a token file is read at load and trimmed", async () => {
    const path = where.file("source.token", "\n  hvs.readfromfile  \n");
    const { config, secrets, warnings } = await load({ argv: [`--vault.source.token_file=${path}`] }, where);
    expect(config.vault.source.token).toBe("hvs.readfromfile");
    expect(config.vault.source.token_file).toBe(path);
    expect(secrets).toEqual(["hvs.readfromfile"]);
    expect(warnings).toEqual([]);
  });

  test.each([0o644, 0o640, 0o604])(
    "a token file with mode %o gets a warning naming the file, never its content",
    async (mode) => {
      const path = where.file(`open-${mode.toString(8)}.token`, "hvs.readablebyothers", mode);
      const { warnings } = await load({ env: { COURIER_VAULT_SOURCE_TOKEN_FILE: path } }, where);
      const shown = mode.toString(8).padStart(4, "0");
      expect(warnings).toEqual([
        `secret file ${path} is readable by group or others (mode ${shown}): chmod 600 ${path}`,
      ]);
      expect(warnings.join("")).not.toContain("hvs.readablebyothers");
    },
  );

  test("an AppRole secret_id file readable by others is warned about too", async () => {
    const role = where.file("role-id", "role", 0o644);
    const secret = where.file("secret-id", "secret", 0o644);
    const { warnings, config } = await load(
      {
        argv: [
          `--vault.source.approle.role_id_file=${role}`,
          `--vault.source.approle.secret_id_file=${secret}`,
        ],
      },
      where,
    );
    expect(warnings).toEqual([
      `secret file ${secret} is readable by group or others (mode 0644): chmod 600 ${secret}`,
    ]);
    expect(config.vault.source.approle).toEqual({
      mount: "approle",
      role_id_file: role,
      secret_id_file: secret,
    });
  });

  test("a missing or empty token file is a problem naming the setting and the file", async () => {
    const empty = where.file("empty.token", "  \n");
    expect(
      await problemsOf({ argv: [`--vault.source.token_file=${where.dir}/absent.token`] }, where),
    ).toEqual([
      `vault.source.token_file (flag --vault.source.token_file): cannot read ${where.dir}/absent.token: no such file`,
    ]);
    expect(await problemsOf({ argv: [`--vault.source.token_file=${empty}`] }, where)).toEqual([
      `vault.source.token_file (flag --vault.source.token_file): token file ${empty} is empty`,
    ]);
  });

  test("a TLS file that cannot be read is a problem at load, not at the first request", async () => {
    expect(await problemsOf({ env: { VAULT_CACERT: `${where.dir}/missing-ca.pem` } }, where)).toEqual([
      `vault.source.tls.ca_cert (env VAULT_CACERT): cannot read ${where.dir}/missing-ca.pem: no such file`,
    ]);
  });
});

describe("one way to log in per Vault", () => {
  test("the stronger source wins: a token file from a flag beats VAULT_TOKEN", async () => {
    const path = where.file("flag.token", "hvs.fromflagfile");
    const { config } = await load(
      { argv: [`--vault.source.token-file=${path}`], env: { VAULT_TOKEN: "hvs.fromenvironment" } },
      where,
    );
    expect(config.vault.source.token).toBe("hvs.fromflagfile");
  });

  test("VAULT_TOKEN beats a token file named in the config file", async () => {
    const path = where.file("file.token", "hvs.fromconfigfile");
    const { config } = await load(
      { file: `vault:\n  source:\n    token_file: ${path}\n`, env: { VAULT_TOKEN: "hvs.fromenvironment" } },
      where,
    );
    expect(config.vault.source).toMatchObject({ token: "hvs.fromenvironment", token_file: "" });
  });

  test("a token and a token file from the same place are refused rather than guessed between", async () => {
    const path = where.file("same.token", "hvs.x");
    expect(
      await problemsOf(
        { argv: ["--vault.source.token=hvs.inline", `--vault.source.token_file=${path}`] },
        where,
      ),
    ).toEqual([
      "vault.source.token (flag --vault.source.token): also vault.source.token_file is set for vault.source; give one way to log in",
    ]);
  });

  test("an AppRole needs both of its files", async () => {
    const role = where.file("only-role", "role");
    expect(await problemsOf({ argv: [`--vault.source.approle.role_id_file=${role}`] }, where)).toEqual([
      "vault.source.approle.role_id_file (flag --vault.source.approle.role_id_file): AppRole login needs approle.secret_id_file too",
    ]);
  });

  test("a client certificate needs its key", async () => {
    const cert = where.file("client.pem", "cert");
    expect(await problemsOf({ env: { VAULT_CLIENT_CERT: cert } }, where)).toEqual([
      "vault.source.tls.client_cert (env VAULT_CLIENT_CERT): needs tls.client_key too",
    ]);
  });

  test("run without any source token says every way to give one", async () => {
    expect(await problemsOf({ needs: { source: true } }, where)).toEqual([
      "vault.source.token (default): no way to log in to the source Vault: set --vault.source.token-file, COURIER_VAULT_SOURCE_TOKEN or VAULT_TOKEN, or vault.source.approle.role_id_file and secret_id_file",
    ]);
  });
});

describe("who may send audit entries by default", () => {
  test.each([
    ["http://127.0.0.1:8200", ["127.0.0.0/8", "::1/128"]],
    ["http://localhost:8200", ["127.0.0.0/8", "::1/128"]],
    ["https://192.0.2.10:8200", ["127.0.0.0/8", "::1/128", "192.0.2.10/32"]],
    ["https://[2001:db8::5]:8200", ["127.0.0.0/8", "::1/128", "2001:db8::5/128"]],
  ])("with the source at %s: %p", async (address, cidrs) => {
    expect((await defaultAllowlist(address, async () => [])).cidrs).toEqual(cidrs);
  });

  test("a source host name adds what it resolves to", async () => {
    const out = await defaultAllowlist("https://vault.example:8200", async () => ["192.0.2.20", "127.0.1.1"]);
    expect(out).toEqual({ cidrs: ["127.0.0.0/8", "::1/128", "192.0.2.20/32"] });
  });

  test("a host name that does not resolve leaves loopback only, with a warning", async () => {
    const out = await defaultAllowlist("https://vault.example:8200", async () => {
      throw new Error("ENOTFOUND");
    });
    expect(out.cidrs).toEqual(["127.0.0.0/8", "::1/128"]);
    expect(out.warning).toBe(
      "could not resolve vault.example: audit entries are accepted from loopback only; set vault.audit_allow",
    );
  });

  test("an audit_allow that is set is kept as given", async () => {
    const { config } = await load({ argv: ["--vault.audit_allow=10.0.0.0/8"] }, where);
    expect(config.vault.audit_allow).toEqual(["10.0.0.0/8"]);
  });
});
