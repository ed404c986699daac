import { afterAll, describe, expect, test } from "bun:test";
import { load, problemsOf, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());
const needs = { source: true, destinations: true };
const source = ["--vault.source.token=hvs.source"];
const addresses = (...ports: number[]) =>
  `--vault.destinations.addresses=${ports.map((p) => `http://127.0.0.1:${p}`).join(",")}`;

describe("destinations from comma lists", () => {
  test("one token serves every destination", async () => {
    const { config } = await load(
      { argv: [...source, addresses(8201, 8202, 8203), "--vault.destinations.tokens=hvs.shared"], needs },
      where,
    );
    expect(config.vault.destinations.list.map((d) => d.token)).toEqual([
      "hvs.shared",
      "hvs.shared",
      "hvs.shared",
    ]);
  });

  test("one token per destination pairs them in order", async () => {
    const { config } = await load(
      { argv: [...source, addresses(8201, 8202), "--vault.destinations.tokens=hvs.one, hvs.two"], needs },
      where,
    );
    expect(config.vault.destinations.list.map((d) => [d.address, d.token])).toEqual([
      ["http://127.0.0.1:8201", "hvs.one"],
      ["http://127.0.0.1:8202", "hvs.two"],
    ]);
  });

  test.each([
    [2, 3, "2 tokens for 3 destinations"],
    [3, 2, "3 tokens for 2 destinations"],
  ])(
    "%p tokens for %p addresses is refused, naming the setting but no token",
    async (tokens, count, text) => {
      const given = Array.from({ length: tokens }, (_, i) => `hvs.secret${i}`).join(",");
      const ports = Array.from({ length: count }, (_, i) => 8201 + i);
      const problems = await problemsOf(
        {
          argv: source,
          env: {
            COURIER_VAULT_DESTINATIONS_TOKENS: given,
            COURIER_VAULT_DESTINATIONS_ADDRESSES: ports.map((p) => `http://127.0.0.1:${p}`).join(","),
          },
          needs,
        },
        where,
      );
      expect(problems).toEqual([
        `vault.destinations.tokens (env COURIER_VAULT_DESTINATIONS_TOKENS): ${text}; give one for all of them or one per destination, in order`,
      ]);
      expect(problems.join("\n")).not.toContain("hvs.secret");
    },
  );

  test("token files pair like tokens, and are read and trimmed", async () => {
    const one = where.file("d1.token", "  hvs.fromfileone\n");
    const two = where.file("d2.token", "hvs.fromfiletwo");
    const { config, secrets } = await load(
      { argv: [...source, addresses(8201, 8202), `--vault.destinations.token_files=${one},${two}`], needs },
      where,
    );
    expect(config.vault.destinations.list.map((d) => [d.token, d.token_file])).toEqual([
      ["hvs.fromfileone", one],
      ["hvs.fromfiletwo", two],
    ]);
    expect(secrets).toContain("hvs.fromfileone");
  });

  test("shared TLS, AppRole and namespace settings reach every destination", async () => {
    const role = where.file("role-id", "role");
    const secret = where.file("secret-id", "secret");
    const { config } = await load(
      {
        argv: [
          ...source,
          addresses(8201, 8202),
          `--vault.destinations.approle.role_id_file=${role}`,
          `--vault.destinations.approle.secret_id_file=${secret}`,
          "--vault.destinations.namespace=team-a/",
          "--vault.destinations.tls.server_name=vault.internal",
        ],
        needs,
      },
      where,
    );
    for (const destination of config.vault.destinations.list) {
      expect(destination.approle).toEqual({ mount: "approle", role_id_file: role, secret_id_file: secret });
      expect(destination.namespace).toBe("team-a/");
      expect(destination.tls.server_name).toBe("vault.internal");
      expect(destination.token).toBe("");
    }
  });

  test("run needs at least one destination", async () => {
    expect(await problemsOf({ argv: source, needs }, where)).toEqual([
      "vault.destinations.addresses (default): no destination Vault: set --vault.destinations.addresses, or vault.destinations.list in the config file",
    ]);
  });

  test("a destination without any token says which one and how to give it", async () => {
    expect(await problemsOf({ argv: [...source, addresses(8201)], needs }, where)).toEqual([
      "vault.destinations.addresses[0] (flag --vault.destinations.addresses): no way to log in: set vault.destinations.tokens or token_files (one for all, or one per destination), or an AppRole",
    ]);
  });

  test("the source as its own destination is refused", async () => {
    const problems = await problemsOf(
      {
        argv: [
          ...source,
          "--vault.destinations.addresses=http://127.0.0.1:8200/",
          "--vault.destinations.tokens=t",
        ],
        needs,
      },
      where,
    );
    expect(problems).toEqual([
      "vault.destinations.addresses[0].address (flag --vault.destinations.addresses): is the source Vault again",
    ]);
  });
});

describe("destinations from vault.destinations.list in the file", () => {
  const file = (token: string) => `
vault:
  source:
    token: "hvs.source"
  destinations:
    token_files: ["${token}"]
    tls:
      server_name: shared.internal
    list:
      - address: http://127.0.0.1:8201
        token: hvs.ownlisttoken
        tls:
          skip_verify: true
      - address: http://127.0.0.1:8202
        namespace: team-b/
        tls:
          server_name: own.internal
        map: ["secret=dr/", "team1/=dr/team1/"]
`;

  test("each item keeps what it says and takes the rest from the shared settings", async () => {
    const shared = where.file("shared.token", "hvs.sharedfromfile\n");
    const { config, warnings } = await load({ file: file(shared), needs }, where);
    const [first, second] = config.vault.destinations.list;
    expect(first).toMatchObject({
      address: "http://127.0.0.1:8201",
      token: "hvs.ownlisttoken",
      token_file: "",
    });
    expect(first?.tls).toMatchObject({ skip_verify: true, server_name: "shared.internal" });
    expect(second).toMatchObject({ token: "hvs.sharedfromfile", token_file: shared, namespace: "team-b/" });
    expect(second?.tls).toMatchObject({ skip_verify: false, server_name: "own.internal" });
    // A map of its own rides along with the item; the other has none.
    expect([first?.map, second?.map]).toEqual([[], ["secret/=dr/", "team1/=dr/team1/"]]);
    expect(warnings).toContain(
      "TLS certificate verification is OFF for http://127.0.0.1:8201 (vault.destinations.list[0].tls.skip_verify)",
    );
  });

  test("an item that writes an empty token still gets the shared one", async () => {
    const { config } = await load(
      {
        file: 'vault:\n  source: { token: hvs.source }\n  destinations:\n    tokens: [hvs.sharedtoken]\n    list:\n      - { address: "http://127.0.0.1:8201", token: "" }\n',
        needs,
      },
      where,
    );
    expect(config.vault.destinations.list[0]?.token).toBe("hvs.sharedtoken");
  });

  test("addresses given as a flag replace the file's list", async () => {
    const shared = where.file("shared.token", "hvs.sharedfromfile\n");
    const { config } = await load({ file: file(shared), argv: [addresses(8301)], needs }, where);
    expect(config.vault.destinations.list.map((d) => [d.address, d.token])).toEqual([
      ["http://127.0.0.1:8301", "hvs.sharedfromfile"],
    ]);
  });

  test("addresses and a list in the same file are refused", async () => {
    const path = `${where.dir}/courier.yaml`;
    const problems = await problemsOf(
      {
        file: "vault:\n  destinations:\n    addresses: [http://127.0.0.1:1]\n    tokens: [t]\n    list:\n      - address: http://127.0.0.1:2\n",
      },
      where,
    );
    expect(problems).toEqual([
      `vault.destinations.list (file ${path}): set either vault.destinations.addresses or this list, not both`,
    ]);
  });

  test("problems inside an item name the item and the key", async () => {
    const path = `${where.dir}/courier.yaml`;
    const problems = await problemsOf(
      {
        file: "vault:\n  destinations:\n    list:\n      - address: dr1:8200\n        tokn: x\n        tls: { skip_verify: maybe }\n",
      },
      where,
    );
    expect(problems.sort()).toEqual(
      [
        `vault.destinations.list[0].address (file ${path}): must be an http:// or https:// URL such as "https://vault.example:8200", got "dr1:8200"`,
        `vault.destinations.list[0].tls.skip_verify (file ${path}): must be true or false (also accepted: 1, 0, t, f, TRUE, FALSE), got "maybe"`,
        `vault.destinations.list[0].tokn (file ${path}): unknown setting; did you mean token?`,
      ].sort(),
    );
  });

  test("an item without an address is refused", async () => {
    const path = `${where.dir}/courier.yaml`;
    expect(
      await problemsOf({ file: "vault:\n  destinations:\n    list:\n      - token: t\n" }, where),
    ).toEqual([`vault.destinations.list[0].address (file ${path}): is required`]);
  });
});

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
