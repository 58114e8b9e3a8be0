// The admin pages in a real browser (headless Chromium through playwright-core): login with a
// wrong and the right token, the status page, the audit log and its filter form.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { chromium } from "playwright-core";
import { tempDir } from "../testing/temp-dir.ts";
import { webFixture } from "./web-test-kit.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install it with \`apt-get install chromium\` to run the browser test`;
// Flags from TESTBED.md: nothing in the browser reaches beyond 127.0.0.1 or outlives the test.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

describe("admin page in a browser", { skip }, () => {
  it("logs in, shows adapters and operators, and filters the audit log", async () => {
    await using s = await webFixture();
    const base = await s.web.listen({ host: "127.0.0.1", port: 0 });
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    using profile = tempDir("vigil-chromium-");
    const browser = await chromium.launchPersistentContext(join(profile.path, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      timeout: 30_000,
    });
    try {
      browser.setDefaultTimeout(10_000);
      browser.setDefaultNavigationTimeout(10_000);
      const page = browser.pages()[0] ?? (await browser.newPage());
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });

      await page.goto(`${base}/`);
      assert.equal(new URL(page.url()).pathname, "/login");

      await page.fill('input[name="token"]', "vgl_not-the-token");
      await Promise.all([page.waitForURL(`${base}/login`), page.click('button[type="submit"]')]);
      assert.equal(await page.locator("p.error").textContent(), "That admin token is not right.");

      await page.fill('input[name="token"]', s.token);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
      assert.match((await page.locator("h1").textContent()) ?? "", /Vigil 9\.9\.9/);
      assert.deepEqual(await page.locator("#adapters tbody tr td:first-child").allTextContents(), [
        "console",
      ]);
      assert.deepEqual(await page.locator("#operators tbody tr td:first-child").allTextContents(), [
        "docker",
        "observer",
        "shell",
      ]);

      await Promise.all([
        page.waitForURL(`${base}/audit`),
        page.getByRole("link", { name: "Audit", exact: true }).click(),
      ]);
      assert.match((await page.locator("#verify").textContent()) ?? "", /chain intact: 6 records/);
      const rows = page.locator("#audit tbody tr[data-seq]");
      assert.deepEqual(await rows.locator("td:first-child").allTextContents(), [
        "6",
        "5",
        "4",
        "3",
        "2",
        "1",
      ]);
      assert.equal(
        await rows.filter({ hasText: "blocked by guard" }).locator("td:nth-child(8)").textContent(),
        "<script>alert('x')</script> blocked by guard",
        "the reason shows as text",
      );

      await page.fill('input[name="tool"]', "docker.restart");
      await Promise.all([
        page.waitForURL(/\/audit\?.*tool=docker\.restart/),
        page.click("form.filters button"),
      ]);
      assert.deepEqual(await rows.locator("td:nth-child(6)").allTextContents(), [
        "docker.restart",
        "docker.restart",
        "docker.restart",
      ]);
      assert.deepEqual(await rows.locator("td:first-child").allTextContents(), ["3", "2", "1"]);
      assert.equal(await page.inputValue('input[name="tool"]'), "docker.restart");
      assert.deepEqual(dialogs, [], "no script from a record ran");
    } finally {
      await browser.close();
    }
  });
});
