// SSH host keys pinned on first use, in SQLite (migration 0030). The ssh.exec tool asks it
// before trusting a server; `vigil ssh forget host:port` clears a pin after an expected change.

import { createHash } from "node:crypto";
import type { Db } from "../../store/open-database.ts";

export interface PinnedHostKey {
  readonly host: string;
  readonly port: number;
  /** Key type from the key blob, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  /** OpenSSH-style `SHA256:…` fingerprint. */
  readonly fingerprint: string;
  /** The key blob, base64. */
  readonly publicKey: string;
  readonly firstSeen: string;
}

interface Row {
  host: string;
  port: number;
  key_type: string;
  fingerprint: string;
  public_key: string;
  first_seen: string;
}

/** The `SHA256:…` fingerprint OpenSSH prints for a key blob. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named at the start of an SSH public key blob. */
export function sshKeyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) return "unknown";
  return keyBlob.subarray(4, 4 + len).toString("latin1");
}

/** Host names are compared case-insensitively, as DNS does. */
function normalizeHost(host: string): string {
  return host.trim().toLowerCase();
}

export class HostKeyStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
    this.#db = db;
    this.#now = now;
  }

  get(host: string, port: number): PinnedHostKey | undefined {
    const row = this.#db
      .prepare<[string, number], Row>("SELECT * FROM ssh_host_keys WHERE host = ? AND port = ?")
      .get(normalizeHost(host), port);
    return row && toPinned(row);
  }

  /**
   * Pins `keyBlob` for host:port unless a key is already pinned, and returns the pin in force.
   * Two first connections racing each other both see the one that won.
   */
  pinIfAbsent(host: string, port: number, keyBlob: Buffer): PinnedHostKey {
    this.#db
      .prepare(
        "INSERT OR IGNORE INTO ssh_host_keys (host, port, key_type, fingerprint, public_key, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        normalizeHost(host),
        port,
        sshKeyType(keyBlob),
        sshFingerprint(keyBlob),
        keyBlob.toString("base64"),
        this.#now().toISOString(),
      );
    return this.get(host, port)!;
  }

  /** Removes the pin for host:port; the next connection pins again. True when one was removed. */
  forget(host: string, port: number): boolean {
    return (
      this.#db.prepare("DELETE FROM ssh_host_keys WHERE host = ? AND port = ?").run(normalizeHost(host), port)
        .changes > 0
    );
  }

  list(): PinnedHostKey[] {
    return this.#db.prepare<[], Row>("SELECT * FROM ssh_host_keys ORDER BY host, port").all().map(toPinned);
  }
}

function toPinned(r: Row): PinnedHostKey {
  return {
    host: r.host,
    port: r.port,
    keyType: r.key_type,
    fingerprint: r.fingerprint,
    publicKey: r.public_key,
    firstSeen: r.first_seen,
  };
}
