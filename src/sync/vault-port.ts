// What syncing needs from a Vault, and nothing more. VaultClient has this shape; a Worker builds
// its clients from plain settings and hands them in, so syncKey itself takes no settings at all.

import type { Kv2DataRead, Kv2Metadata, Kv2Settings, KvRef } from "../vault/kv.ts";
import type { Ensured, MountInfo, MountSpec } from "../vault/mounts.ts";

export interface SyncVault {
  /** How outcomes name this Vault: its address. */
  readonly address: string;
  readonly mounts: {
    find(namespace: string, mount: string): Promise<MountInfo | null>;
    /** Makes the mount unless one of its kind is there; concurrent callers share one attempt. */
    ensure(namespace: string, mount: string, spec: MountSpec): Promise<Ensured>;
    /** The namespace's mount table changed under us: the next find() asks Vault again. */
    forget(namespace: string): void;
  };
  readonly kv1: {
    read(ref: KvRef): Promise<Record<string, unknown> | null>;
    write(ref: KvRef, data: Record<string, unknown>): Promise<void>;
    delete(ref: KvRef): Promise<void>;
  };
  readonly kv2: {
    readData(ref: KvRef, version?: number): Promise<Kv2DataRead>;
    readMetadata(ref: KvRef): Promise<Kv2Metadata | null>;
    writeData(ref: KvRef, data: Record<string, unknown>, cas?: number): Promise<number>;
    writeMetadata(ref: KvRef, settings: Partial<Kv2Settings>): Promise<void>;
    deleteMetadata(ref: KvRef): Promise<void>;
    deleteVersions(ref: KvRef, versions: number[]): Promise<void>;
    undeleteVersions(ref: KvRef, versions: number[]): Promise<void>;
    destroyVersions(ref: KvRef, versions: number[]): Promise<void>;
  };
  readonly policies: {
    read(namespace: string, name: string): Promise<string | null>;
    write(namespace: string, name: string, policy: string): Promise<void>;
    delete(namespace: string, name: string): Promise<void>;
  };
}

export interface SyncOptions {
  /** Deletes on the source (KV v1 delete, soft delete, destroy, metadata delete, policy delete) reach destinations. */
  deletes: boolean;
  /** A KV mount missing on a destination is created with the source's type and options. */
  createMounts: boolean;
  /** The source's mount, when the caller already knows it; otherwise it is looked up. */
  sourceMount?: MountInfo;
  /** Clock for "is this deletion_time past yet"; Date.now by default. */
  now?: () => number;
}
