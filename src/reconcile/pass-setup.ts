// What a one-shot command (sync, diff, replay) needs from the configuration: clients for the
// source and every destination on this thread, the scope, the namespaces, and the sync options.
// The agent builds the same things its own way; both read the same settings.

import { availableParallelism } from "node:os";
import { type CompiledScope, compileScope, type Scope } from "../audit/scope.ts";
import type { Config } from "../config/schema.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { vaultSettingsFrom } from "../vault/settings.ts";
import { checkGlobsReach, passNamespaces, passTargets } from "./pass-targets.ts";
import { type WalkedKey, type WalkOptions, walkKeys } from "./walk-keys.ts";

/** Keys a one-shot pass works on at once, per core: each waits on the network, not the CPU (the agent's figure). */
const KEYS_PER_CORE = 32;

export interface PassSetup {
  source: VaultClient;
  destinations: VaultClient[];
  scope: CompiledScope;
  namespaces: string[];
  deletes: boolean;
  createMounts: boolean;
  prune: boolean;
  concurrency: number;
  close(): void;
}

export function passSetup(config: Config): PassSetup {
  const vaults = vaultSettingsFrom(config);
  const source = createVaultClient(vaults.source);
  const destinations = vaults.destinations.map((settings) => createVaultClient(settings));
  return {
    source,
    destinations,
    scope: scopeFrom(config),
    namespaces: passNamespaces(config.vault.source.namespace),
    deletes: config.sync.deletes,
    createMounts: config.sync.create_mounts,
    prune: config.sync.prune,
    concurrency: Math.max(1, config.worker.concurrency || availableParallelism()) * KEYS_PER_CORE,
    close() {
      for (const client of [source, ...destinations]) client.close();
    },
  };
}

/**
 * passSetup, once the scope's globs are known to match something in the source's mounts in
 * scope (checkGlobsReach): a command refuses a glob that can match nothing before it walks.
 */
export async function checkedPassSetup(config: Config): Promise<PassSetup> {
  const setup = passSetup(config);
  try {
    await checkGlobsReach(scopeSettings(config), setup.namespaces, async (namespace) =>
      (await setup.source.mounts.table(namespace)).values(),
    );
    return setup;
  } catch (error) {
    setup.close();
    throw error;
  }
}

/** The scope the configuration asks for: what the audit path filters by, and what a pass walks. */
export function scopeFrom(config: Config): CompiledScope {
  return compileScope(scopeSettings(config));
}

/** The scope's settings as the configuration gives them, before they are compiled. */
export function scopeSettings(config: Config): Scope {
  return {
    mounts: config.sync.mounts.length > 0 ? config.sync.mounts : undefined,
    include: config.sync.include,
    exclude: config.sync.exclude,
    policies: config.sync.policies,
  };
}

/**
 * Every key in scope, streamed. `walkDestinations` also lists the destinations' copies of each
 * mount, so keys only a destination holds come out too (marked onSource: false).
 */
export async function* passKeys(
  setup: PassSetup,
  walkDestinations: boolean,
  onDestinationError: WalkOptions["onDestinationError"],
): AsyncGenerator<WalkedKey> {
  const targets = await passTargets(setup.source, setup.namespaces, setup.scope);
  yield* walkKeys(setup.source, targets, {
    scope: setup.scope,
    destinations: walkDestinations ? setup.destinations : [],
    onDestinationError,
  });
}
