import { runAdapterContract } from "../../src/testing/adapter-contract.ts";
import { createConsoleDriver } from "./console-driver.ts";

runAdapterContract("console", async () => createConsoleDriver());
