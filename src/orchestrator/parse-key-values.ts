// `key=value …` arguments for direct tool use. Values are strings unless they parse as JSON
// (numbers, booleans, null, arrays, objects, "quoted strings"); quotes and brackets may hold spaces.

export class KeyValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyValueError";
  }
}

/** Splits on whitespace outside quotes and brackets. */
function words(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === "\\" && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if ((c === "]" || c === "}") && depth > 0) depth--;
    if (/\s/.test(c) && depth === 0) {
      if (current !== "") out.push(current);
      current = "";
    } else current += c;
  }
  if (quote) throw new KeyValueError(`unclosed ${quote} in the arguments`);
  if (current !== "") out.push(current);
  return out;
}

function value(raw: string): unknown {
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1);
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `all=true name=web tail=50 cmd="ls -la"` → `{ all: true, name: "web", tail: 50, cmd: "ls -la" }`. */
export function parseKeyValues(text: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const word of words(text.trim())) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new KeyValueError(`\`${word}\` is not key=value (e.g. name=web or all=true)`);
    const key = word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
      throw new KeyValueError(`\`${key}\` is not a valid argument name`);
    if (key === "__proto__") throw new KeyValueError("`__proto__` is not a valid argument name");
    if (Object.hasOwn(args, key)) throw new KeyValueError(`\`${key}\` is given twice`);
    args[key] = value(word.slice(eq + 1));
  }
  return args;
}
