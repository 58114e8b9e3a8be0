import { runAdapterContract } from "../../src/testing/adapter-contract.ts";
import { createSlackDriver } from "./slack-driver.ts";

runAdapterContract("slack (socket mode)", () => createSlackDriver());
runAdapterContract("slack (http mode)", () => createSlackDriver({ mode: "http" }));
