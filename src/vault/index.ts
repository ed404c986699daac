// Courier's Vault client: one VaultClient per Vault, built from plain VaultSettings.

export { type CallContext, type FailureReason, policyLine, VaultCallError } from "./call-error.ts";
export { type ClientOptions, createVaultClient, VaultClient } from "./client.ts";
export { createFetchTransport, type FetchTransport, TransportError } from "./fetch-transport.ts";
export { DEFAULT_KV2_SETTINGS, versionState } from "./kv2-shapes.ts";
export { kvVersionOf } from "./mounts.ts";
export { ManagedToken, staticToken, type TokenSource } from "./token-source.ts";
export type * from "./types.ts";
