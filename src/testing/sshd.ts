// A private OpenSSH server on 127.0.0.1 for tests: its own config, host key, client key and
// authorized_keys in a temp dir, run as the current user, stopped by pid.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export const SSHD_BINARY = "/usr/sbin/sshd";
const SSH_KEYGEN = "/usr/bin/ssh-keygen";

export interface PrivateSshd {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly user: string;
  /** The client's private key (OpenSSH format), authorized on this server. */
  readonly clientPrivateKey: string;
  /** `SHA256:…` of the current host key. */
  hostKeyFingerprint(): string;
  /** Restarts on the same port with a freshly generated host key. */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
}

/** Why a private sshd cannot run here, or undefined when it can (root and the binaries present). */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to run a private sshd (CI runs as root)";
  if (!existsSync(SSHD_BINARY) || !existsSync(SSH_KEYGEN)) {
    return "OpenSSH is not installed — apt-get install -y openssh-server";
  }
  return undefined;
}

/** Starts a private sshd and waits until it listens (deadline `timeoutMs`). */
export async function startSshd({ timeoutMs = 10_000 } = {}): Promise<PrivateSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-sshd-"));
  const user = userInfo().username;
  const hostKey = path.join(dir, "host_ed25519");
  const clientKey = path.join(dir, "client_ed25519");
  keygen(hostKey);
  keygen(clientKey);
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `AllowUsers ${user}`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "UseDNS no",
      "PrintMotd no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  // sshd refuses to start without its privilege separation directory (normally made by systemd).
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  let child: ChildProcess | undefined;
  let log = "";
  const launch = async () => {
    log = "";
    const proc = spawn(SSHD_BINARY, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    proc.stderr?.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`sshd did not listen within ${timeoutMs} ms:\n${log}`)),
        timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        proc.kill("SIGKILL");
        reject(err);
      };
      const onExit = (code: number | null) =>
        fail(new Error(`sshd exited with ${code} before listening:\n${log}`));
      proc.on("exit", onExit);
      proc.stderr?.on("data", (chunk: string) => {
        log += chunk;
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          proc.off("exit", onExit);
          resolve();
        }
      });
    });
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const deadline = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(deadline);
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host: "127.0.0.1",
    port,
    user,
    clientPrivateKey: readFileSync(clientKey, "utf8"),
    hostKeyFingerprint: () => fingerprint(`${hostKey}.pub`),
    async rotateHostKey() {
      await halt();
      rmSync(hostKey, { force: true });
      rmSync(`${hostKey}.pub`, { force: true });
      keygen(hostKey);
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function keygen(file: string): void {
  execFileSync(SSH_KEYGEN, ["-q", "-t", "ed25519", "-N", "", "-C", "vigil-test", "-f", file], {
    stdio: "ignore",
  });
}

function fingerprint(pubFile: string): string {
  const out = execFileSync(SSH_KEYGEN, ["-l", "-E", "sha256", "-f", pubFile], { encoding: "utf8" });
  return out.split(" ")[1] ?? "";
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}
