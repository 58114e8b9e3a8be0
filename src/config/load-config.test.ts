import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../testing/temp-dir.ts";
import { loadConfig } from "./load-config.ts";

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("expected a configuration error");
}

describe("config", () => {
  it("runs on defaults with no file and no environment", () => {
    using dir = tempDir();
    const config = loadConfig({ VIGIL_DATA_DIR: dir.path });
    assert.equal(config.server.host, "127.0.0.1");
    assert.equal(config.server.port, 3000);
    assert.equal(config.dataDir, dir.path);
    assert.equal(config.configPath, undefined);
  });

  it("names the field and the variable for a bad VIGIL_PORT", () => {
    const msg = configError({ VIGIL_DATA_DIR: "/nonexistent-vigil", VIGIL_PORT: "http" });
    assert.match(
      msg,
      /server\.port \(from VIGIL_PORT\): expected a port number, a whole number from 1 to 65535/,
    );
  });

  it("refuses a port out of range from the file, naming the file", () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "vigil.yaml"), "server:\n  port: 70000\n");
    const msg = configError({ VIGIL_DATA_DIR: dir.path });
    assert.match(msg, /server\.port \(in .*vigil\.yaml\): expected a port number/);
  });

  it("reports unknown settings so typos do not pass silently", () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "vigil.yaml"), "servr:\n  port: 3000\n");
    assert.match(configError({ VIGIL_DATA_DIR: dir.path }), /unknown setting "servr"/);
  });

  it("names nested fields with what is allowed", () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "vigil.yaml"), "log:\n  level: loud\ntelegram:\n  botToken: nope\n");
    const msg = configError({ VIGIL_DATA_DIR: dir.path });
    assert.match(msg, /log\.level .*"fatal"\|"error"/);
    assert.match(msg, /telegram\.botToken .*a Telegram bot token looks like/);
  });

  it("explains YAML syntax errors and non-mapping documents", () => {
    using dir = tempDir();
    const file = join(dir.path, "bad.yaml");
    writeFileSync(file, "server: [unclosed\n");
    assert.match(configError({ VIGIL_DATA_DIR: dir.path, VIGIL_CONFIG: file }), /is not valid YAML/);
    writeFileSync(file, "- a\n- b\n");
    assert.match(configError({ VIGIL_DATA_DIR: dir.path, VIGIL_CONFIG: file }), /must hold a mapping/);
  });

  it("says when VIGIL_CONFIG points nowhere", () => {
    assert.match(
      configError({ VIGIL_CONFIG: "/nonexistent/vigil.yaml" }),
      /VIGIL_CONFIG points to \/nonexistent\/vigil\.yaml/,
    );
  });

  it("lets the environment override the file and splits CORS origins", () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "vigil.yaml"), "server:\n  port: 4000\n  host: 0.0.0.0\n");
    const config = loadConfig({
      VIGIL_DATA_DIR: dir.path,
      VIGIL_PORT: "4100",
      VIGIL_CORS_ORIGINS: "https://a.example, https://b.example",
    });
    assert.equal(config.server.port, 4100);
    assert.equal(config.server.host, "0.0.0.0");
    assert.deepEqual(config.server.corsOrigins, ["https://a.example", "https://b.example"]);
  });

  it("loads the shipped example config, whose commented-out sections are empty", () => {
    const example = join(import.meta.dirname, "..", "..", "config", "vigil.example.yaml");
    const config = loadConfig({ VIGIL_DATA_DIR: "/nonexistent-vigil", VIGIL_CONFIG: example });
    assert.equal(config.server.port, 3000);
    assert.equal(config.policy.approvalTtlMinutes, 30);
    assert.deepEqual(config.providers, []);
  });

  it("refuses a CORS origin that is not a URL", () => {
    assert.match(
      configError({ VIGIL_DATA_DIR: "/nonexistent-vigil", VIGIL_CORS_ORIGINS: "not a url" }),
      /server\.corsOrigins\.0 \(/,
    );
  });
});
