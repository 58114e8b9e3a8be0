// A private Docker engine for tests: own socket, data-root, exec-root and pidfile in a temp dir,
// no bridge and no iptables (only loopback is allowed), with a busybox image imported locally.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { waitFor } from "./wait-for.ts";

export const DOCKERD_BINARY = "/usr/sbin/dockerd";
export const BUSYBOX_BINARY = "/usr/bin/busybox";
/** The image every private engine has; `--network none` containers run from it. */
export const TEST_IMAGE = "vigil-test/busybox:latest";

const APPLETS = ["sh", "echo", "sleep", "cat", "ls", "httpd", "true", "false", "seq", "env", "date", "yes"];

export interface PrivateDockerd {
  readonly docker: Docker;
  /** `unix://…/docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly socketPath: string;
  /** Runs `cmd` in a new `--network none` container from TEST_IMAGE and returns its name once running. */
  runContainer(name: string, cmd: string[]): Promise<Docker.Container>;
  stop(): Promise<void>;
}

/** Why a private dockerd cannot run here, or undefined when it can. */
export function dockerdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to run a private dockerd (CI runs as root)";
  if (!existsSync(DOCKERD_BINARY)) return "the Docker engine is not installed — apt-get install -y docker.io";
  if (!existsSync(BUSYBOX_BINARY)) return "busybox is not installed — apt-get install -y busybox-static";
  return undefined;
}

/** Starts a private dockerd, waits until it answers (deadline `timeoutMs`), imports TEST_IMAGE. */
export async function startDockerd({ timeoutMs = 60_000 } = {}): Promise<PrivateDockerd> {
  // Short base path: containerd's sockets live under exec-root and unix socket paths are short.
  const dir = mkdtempSync(path.join(tmpdir(), "vd-"));
  const socketPath = path.join(dir, "docker.sock");
  const dockerHost = `unix://${socketPath}`;
  const configFile = path.join(dir, "daemon.json");
  writeFileSync(configFile, "{}\n");
  let log = "";
  const child: ChildProcess = spawn(
    DOCKERD_BINARY,
    [
      "--host",
      dockerHost,
      "--data-root",
      path.join(dir, "data"),
      "--exec-root",
      path.join(dir, "exec"),
      "--pidfile",
      path.join(dir, "dockerd.pid"),
      // An empty config so a system /etc/docker/daemon.json does not leak in.
      "--config-file",
      configFile,
      "--bridge",
      "none",
      "--iptables=false",
      "--ip6tables=false",
      "--ip-masq=false",
      "--userland-proxy=false",
      "--shutdown-timeout",
      "2",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" } },
  );
  const collect = (c: Buffer) => {
    log = (log + c.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const docker = new Docker({ socketPath });

  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      // Remove our containers first: a shell ignoring SIGTERM would otherwise stall shutdown.
      try {
        const list = await docker.listContainers({ all: true });
        await Promise.all(
          list.map((c) =>
            docker
              .getContainer(c.Id)
              .remove({ force: true })
              .catch(() => {}),
          ),
        );
      } catch {}
      child.kill("SIGTERM");
      await waitFor(() => exited, { timeoutMs: 30_000, intervalMs: 50, what: "dockerd to exit" }).catch(
        () => {
          child.kill("SIGKILL");
        },
      );
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`dockerd exited before it was ready:\n${log}`);
        if (!existsSync(socketPath)) return false;
        return docker.ping().then(
          () => true,
          () => false,
        );
      },
      { timeoutMs, intervalMs: 100, what: `dockerd on ${socketPath}` },
    );
    await importBusybox(docker);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- dockerd log ---\n${log}`, { cause: err });
  }

  return {
    docker,
    dockerHost,
    socketPath,
    async runContainer(name, cmd) {
      const container = await docker.createContainer({
        name,
        Image: TEST_IMAGE,
        Cmd: cmd,
        HostConfig: { NetworkMode: "none" },
      });
      await container.start();
      await waitFor(async () => (await container.inspect()).State.Running, {
        timeoutMs: 10_000,
        what: `${name} to run`,
      });
      return container;
    },
    stop,
  };
}

/**
 * Imports TEST_IMAGE from a rootfs tarball (busybox plus applet symlinks). The tarball is built
 * once per busybox binary and reused by every engine started in this run.
 */
async function importBusybox(docker: Docker): Promise<void> {
  const tar = busyboxTarball();
  const stream = await docker.importImage(createReadStream(tar), {
    repo: "vigil-test/busybox",
    tag: "latest",
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  await docker.getImage(TEST_IMAGE).inspect();
}

function busyboxTarball(): string {
  const st = statSync(BUSYBOX_BINARY);
  const tar = path.join(tmpdir(), `vigil-busybox-rootfs-${st.size}-${Math.floor(st.mtimeMs)}.tar`);
  if (existsSync(tar)) return tar;
  const root = mkdtempSync(path.join(tmpdir(), "vigil-busybox-"));
  try {
    mkdirSync(path.join(root, "bin"));
    mkdirSync(path.join(root, "tmp"));
    copyFileSync(BUSYBOX_BINARY, path.join(root, "bin", "busybox"));
    for (const applet of APPLETS) symlinkSync("busybox", path.join(root, "bin", applet));
    // Write beside the final name and rename, so a parallel test run never reads half a file.
    const partial = `${tar}.${process.pid}.partial`;
    execFileSync("tar", ["-C", root, "-cf", partial, "."]);
    renameSync(partial, tar);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return tar;
}
