import { runAdapterContract } from "../../src/testing/adapter-contract.ts";
import { createTelegramDriver } from "./telegram-driver.ts";

runAdapterContract("telegram (reply chains)", () => createTelegramDriver());
runAdapterContract("telegram (forum topics)", () => createTelegramDriver({ forum: true }));
