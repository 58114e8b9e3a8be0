// Waits on a condition with a deadline instead of sleeping in tests.

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  {
    timeoutMs = 5000,
    intervalMs = 10,
    what = "condition",
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
