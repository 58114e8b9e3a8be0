// Splits rendered text that is too long for one platform message. Cuts fall on line
// boundaries where possible; a cut inside a fenced code block closes the fence in one
// part and reopens it (with its language) in the next, so no block is ever broken.

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

export function splitMessage(text: string, limit: number): string[] {
  if (limit < 16) throw new Error("splitMessage: limit too small");
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let current = "";
  let openFence: string | undefined; // the opening line of the fence we are inside, if any
  const closeOf = (open: string) => FENCE.exec(open)?.[2] ?? "```";

  const flush = () => {
    if (openFence !== undefined) {
      parts.push(`${current}\n${closeOf(openFence)}`);
      current = openFence;
    } else {
      parts.push(current);
      current = "";
    }
  };

  for (const rawLine of text.split("\n")) {
    // Room a part must keep for a closing fence when we are inside a block.
    const reserve = () => (openFence !== undefined ? closeOf(openFence).length + 1 : 0);
    let line = rawLine;
    // A single line longer than a part is cut hard.
    while (line.length > 0) {
      const sep = current.length > 0 ? 1 : 0;
      const room = limit - current.length - sep - reserve();
      if (line.length <= room) {
        current += (sep ? "\n" : "") + line;
        line = "";
        break;
      }
      const fresh = openFence !== undefined ? current === openFence : current.length === 0;
      if (!fresh) {
        flush();
        continue;
      }
      const cut = Math.max(1, room);
      current += (sep ? "\n" : "") + line.slice(0, cut);
      line = line.slice(cut);
      flush();
    }
    const m = FENCE.exec(rawLine);
    if (m) {
      if (openFence === undefined) openFence = rawLine;
      else if (m[2].startsWith(closeOf(openFence)[0]) && m[3].trim() === "") openFence = undefined;
    }
  }
  if (current.length > 0 && !(openFence !== undefined && current === openFence)) parts.push(current);
  return parts;
}
