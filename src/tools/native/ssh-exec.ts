// ssh.exec: runs a command on a remote host over SSH (ssh2). The host key is pinned on first
// use; a changed key refuses to connect and shows both fingerprints (invariant 8).
// The remote command is a string by nature of SSH exec; the remote shell interprets it.

import type { ConnectConfig, ServerHostKeyAlgorithm } from "ssh2";
import { z } from "zod";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { type HostKeyStore, type PinnedHostKey, sshFingerprint, sshKeyType } from "./host-key-store.ts";
import { CappedOutput } from "./output-cap.ts";

/** Secret material for one target; from the encrypted credential store in production. */
export interface SshCredential {
  readonly privateKey?: string | Buffer;
  readonly passphrase?: string;
  readonly password?: string;
}

export type SshCredentialLookup = (target: {
  host: string;
  port: number;
  user: string;
}) => SshCredential | undefined | Promise<SshCredential | undefined>;

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface SshExecOptions {
  readonly hostKeys: HostKeyStore;
  readonly credentials: SshCredentialLookup;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Default and maximum command timeout (default 60 s, max 30 min). */
  readonly timeoutMs?: number;
  readonly maxTimeoutMs?: number;
  /** Output cap, stdout and stderr together (default 64 KiB). */
  readonly maxOutputBytes?: number;
  readonly log?: Log;
}

const schema = z.object({
  host: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9.:[\]_-]+$/, "expected a host name or IP address")
    .describe("Host name or IP address"),
  port: z.number().int().min(1).max(65535).default(22),
  user: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, "expected a user name")
    .describe("Remote user"),
  command: z.string().min(1).describe("Command line run by the remote user's shell"),
  timeoutMs: z.number().int().positive().optional(),
});

export type SshExecArgs = z.output<typeof schema>;

export type SshExecTool = Tool<SshExecArgs> & {
  /** Forgets the pinned key of host:port so the next connection pins the new one. */
  forget(host: string, port: number): boolean;
};

/** The message shown when a pinned key no longer matches. */
export function hostKeyChangedMessage(host: string, port: number, pinned: string, offered: string): string {
  const target = `${host}:${port}`;
  return (
    `host key for ${target} changed: pinned ${pinned}, offered ${offered} — ` +
    `if the change is expected, run \`vigil ssh forget ${target}\``
  );
}

export function sshExecTool(opts: SshExecOptions): SshExecTool {
  const defaultTimeout = opts.timeoutMs ?? 60_000;
  const maxTimeout = opts.maxTimeoutMs ?? 30 * 60_000;
  const tool = defineTool({
    name: "ssh.exec",
    description: "Run a command on a remote host over SSH. The host key is pinned on first use.",
    schema,
    permission: () => "exec",
    resource: (a) => `ssh:${a.user}@${a.host.toLowerCase()}:${a.port}`,
    async run(a, ctx) {
      const credential = await opts.credentials({ host: a.host, port: a.port, user: a.user });
      if (!credential || (!credential.privateKey && !credential.password)) {
        throw new VigilError(
          ErrorCodes.USAGE,
          `no SSH credentials are configured for ${a.user}@${a.host}:${a.port} — add a private key or password for it`,
        );
      }
      const timeoutMs = Math.min(a.timeoutMs ?? defaultTimeout, maxTimeout);
      return execOnce(a, credential, timeoutMs, ctx.signal, opts);
    },
  });
  return Object.assign(tool, { forget: (host: string, port: number) => opts.hostKeys.forget(host, port) });
}

/** Host key algorithms that can present a key of the pinned type. */
function algorithmsFor(keyType: string): ServerHostKeyAlgorithm[] {
  if (keyType === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  return [keyType as ServerHostKeyAlgorithm];
}

async function execOnce(
  a: SshExecArgs,
  credential: SshCredential,
  timeoutMs: number,
  signal: AbortSignal,
  opts: SshExecOptions,
): Promise<{ ok: boolean; output: string; data: unknown }> {
  const target = `${a.host}:${a.port}`;
  const pinned: PinnedHostKey | undefined = opts.hostKeys.get(a.host, a.port);
  const out = new CappedOutput(opts.maxOutputBytes ?? 64 * 1024);
  // Loaded on first use: most installations never ssh, and ssh2 costs memory at start.
  const { Client } = await import("ssh2");
  const client = new Client();
  let refusal: VigilError | undefined;

  const hostVerifier = (key: Buffer): boolean => {
    const offered = sshFingerprint(key);
    const inForce = pinned ?? opts.hostKeys.pinIfAbsent(a.host, a.port, key);
    if (!pinned && inForce.fingerprint === offered) {
      opts.log?.info(
        { target, fingerprint: offered, keyType: sshKeyType(key) },
        "ssh host key pinned on first use",
      );
    }
    if (inForce.fingerprint === offered) return true;
    refusal = new VigilError(
      ErrorCodes.POLICY_DENIED,
      hostKeyChangedMessage(a.host, a.port, inForce.fingerprint, offered),
    );
    opts.log?.warn(
      { target, pinned: inForce.fingerprint, offered },
      "ssh host key changed; connection refused",
    );
    return false;
  };

  const config: ConnectConfig = {
    host: a.host,
    port: a.port,
    username: a.user,
    privateKey: credential.privateKey,
    passphrase: credential.passphrase,
    password: credential.password,
    readyTimeout: opts.connectTimeoutMs ?? 10_000,
    hostVerifier,
    // Once pinned, offer only that key type, so a server with several keys cannot look "changed".
    ...(pinned ? { algorithms: { serverHostKey: algorithmsFor(pinned.keyType) } } : {}),
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    let aborted = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      client.end();
      fn();
    };
    const onAbort = () => {
      aborted = true;
      client.end();
    };
    if (signal.aborted) {
      resolve({ ok: false, output: "[stopped before connecting]", data: { aborted: true } });
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });

    client.on("error", (err: Error & { level?: string }) => {
      finish(() => {
        if (refusal) return reject(refusal);
        if (pinned && err.level === "handshake" && /host key/i.test(err.message)) {
          return reject(
            new VigilError(
              ErrorCodes.POLICY_DENIED,
              `host key for ${target} changed: pinned ${pinned.keyType} ${pinned.fingerprint}, but the server no longer offers a ${pinned.keyType} key — if the change is expected, run \`vigil ssh forget ${target}\``,
              { cause: err },
            ),
          );
        }
        if (err.level === "client-authentication") {
          return reject(
            new VigilError(
              ErrorCodes.USAGE,
              `SSH authentication failed for ${a.user}@${target} — check the key or password configured for it`,
              { cause: err },
            ),
          );
        }
        if (aborted) return resolve({ ok: false, output: "[stopped]", data: { aborted: true } });
        const code = (err as { code?: string }).code;
        resolve({
          ok: false,
          output: `could not connect to ${target}: ${code ?? err.message}`,
          data: { error: err.message },
        });
      });
    });

    client.on("ready", () => {
      client.exec(a.command, (err, stream) => {
        if (err) {
          finish(() =>
            resolve({ ok: false, output: `could not start the command: ${err.message}`, data: {} }),
          );
          return;
        }
        timer = setTimeout(() => {
          timedOut = true;
          // Ask the server to kill it, then drop the connection, which hangs up the session anyway.
          stream.signal("KILL");
          client.end();
        }, timeoutMs);
        stream.on("data", (c: Buffer) => out.push(c));
        stream.stderr.on("data", (c: Buffer) => out.push(c));
        stream.on("close", (code: number | null, sig?: string) => {
          finish(() => {
            const notes: string[] = [];
            if (timedOut) notes.push(`[timed out after ${timeoutMs} ms; the session was closed]`);
            else if (aborted) notes.push("[stopped; the session was closed]");
            else if (code !== 0)
              notes.push(code == null ? `[killed by ${sig ?? "a signal"}]` : `[exit code ${code}]`);
            resolve({
              ok: code === 0 && !timedOut && !aborted,
              output: [out.text(), ...notes].filter((s) => s !== "").join("\n"),
              data: { exitCode: code ?? null, signal: sig ?? null, timedOut, truncated: out.truncated },
            });
          });
        });
      });
    });

    // The connection closing before "ready" or before the command ended (e.g. the timeout).
    client.on("close", () => {
      finish(() => {
        if (refusal) return reject(refusal);
        const note = timedOut
          ? `[timed out after ${timeoutMs} ms; the session was closed]`
          : aborted
            ? "[stopped]"
            : "[connection closed]";
        resolve({
          ok: false,
          output: [out.text(), note].filter((s) => s !== "").join("\n"),
          data: { exitCode: null, timedOut, aborted, truncated: out.truncated },
        });
      });
    });

    client.connect(config);
  });
}
