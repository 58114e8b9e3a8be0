// Preloaded (`node --import`) into third-party servers under test that listen on every
// interface: binds any `listen(port)` without a host to 127.0.0.1 instead.

import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  const [first, second] = args;
  const isPort = typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first));
  if (isPort && typeof second !== "string") {
    const rest = args.slice(1).filter((a) => typeof a === "function");
    return (listen as (...a: unknown[]) => net.Server).call(
      this,
      { port: Number(first), host: "127.0.0.1" },
      ...rest,
    );
  }
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof listen;
