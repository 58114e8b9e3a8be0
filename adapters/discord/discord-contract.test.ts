import { runAdapterContract } from "../../src/testing/adapter-contract.ts";
import { createDiscordDriver } from "./discord-driver.ts";

runAdapterContract("discord", () => createDiscordDriver());
