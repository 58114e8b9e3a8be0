// Reads the OpenAI-format request bodies the fake model receives, for scripted replies and asserts.

// biome-ignore lint/suspicious/noExplicitAny: provider JSON as the fake received it
type Body = any;

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((p) => (typeof p === "string" ? p : (p.text ?? ""))).join("");
  return "";
}

/** Messages as role and text. */
export function messagesOf(body: Body): { role: string; content: string }[] {
  return (body.messages ?? []).map((m: { role: string; content: unknown }) => ({
    role: m.role,
    content: text(m.content),
  }));
}

export function lastUser(body: Body): string {
  return (
    messagesOf(body)
      .filter((m) => m.role === "user")
      .at(-1)?.content ?? ""
  );
}

export function toolResults(body: Body): string[] {
  return messagesOf(body)
    .filter((m) => m.role === "tool")
    .map((m) => m.content);
}

export function systemPrompt(body: Body): string {
  return messagesOf(body).find((m) => m.role === "system")?.content ?? "";
}
