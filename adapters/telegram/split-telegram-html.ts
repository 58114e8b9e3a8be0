// Splits rendered Telegram HTML into parts no longer than the platform's limit. Whole
// blocks are packed first; a block that alone is too long is cut on a line (else a space)
// and every tag open at the cut is closed in one part and reopened in the next, so each
// part is valid HTML and a <pre> block continues as a <pre> block.

type Atom =
  | { kind: "open"; name: string; raw: string }
  | { kind: "close"; raw: string }
  | { kind: "text"; raw: string };

/** Packs `blocks` (each valid HTML on its own) into parts of at most `limit` characters of HTML. */
export function packTelegramBlocks(blocks: readonly string[], limit: number, separator = "\n\n"): string[] {
  const parts: string[] = [];
  let current = "";
  for (const block of blocks) {
    const pieces = block.length > limit ? splitTelegramHtml(block, limit) : [block];
    for (const piece of pieces) {
      if (current === "") current = piece;
      else if (current.length + separator.length + piece.length <= limit) current += separator + piece;
      else {
        parts.push(current);
        current = piece;
      }
    }
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** Cuts one HTML string into parts of at most `limit` characters, closing and reopening tags at each cut. */
export function splitTelegramHtml(html: string, limit: number): string[] {
  if (limit < 64) throw new Error("splitTelegramHtml: limit too small");
  const atoms = tokenize(html);
  const parts: string[] = [];
  let stack: Atom[] = []; // open tags at the start of the current part
  let start = 0;
  while (start < atoms.length) {
    const prefix = stack.map((a) => a.raw).join("");
    let length = prefix.length;
    const open = [...stack];
    let lastLine = -1;
    let lastSpace = -1;
    let lineStack: Atom[] = [];
    let spaceStack: Atom[] = [];
    let end = start;
    // Grow the part atom by atom while it and the closing tags it would need still fit.
    while (end < atoms.length) {
      const atom = atoms[end];
      const nextOpen = applyAtom(open, atom, true);
      if (length + atom.raw.length + closingLength(nextOpen) > limit) break;
      length += atom.raw.length;
      applyAtom(open, atom, false);
      end++;
      if (atom.kind === "text" && atom.raw === "\n") {
        lastLine = end;
        lineStack = [...open];
      } else if (atom.kind === "text" && atom.raw === " ") {
        lastSpace = end;
        spaceStack = [...open];
      }
    }
    let cut = end;
    let cutStack = open;
    if (end < atoms.length) {
      const half = start + (end - start) / 2;
      if (lastLine > half) [cut, cutStack] = [lastLine, lineStack];
      else if (lastSpace > half) [cut, cutStack] = [lastSpace, spaceStack];
      else if (lastLine > start) [cut, cutStack] = [lastLine, lineStack];
      if (cut === start) throw new Error("splitTelegramHtml: a single tag does not fit the limit");
    }
    const body = atoms
      .slice(start, cut)
      .map((a) => a.raw)
      .join("");
    const closers = [...cutStack]
      .reverse()
      .map((a) => (a.kind === "open" ? `</${a.name}>` : ""))
      .join("");
    const part = prefix + body + closers;
    if (visibleText(part).trim() !== "") parts.push(part);
    stack = cutStack;
    start = cut;
  }
  return parts;
}

function applyAtom(open: Atom[], atom: Atom, dryRun: boolean): Atom[] {
  const target = dryRun ? [...open] : open;
  if (atom.kind === "open") target.push(atom);
  else if (atom.kind === "close") target.pop();
  return target;
}

function closingLength(open: readonly Atom[]): number {
  let n = 0;
  for (const a of open) if (a.kind === "open") n += a.name.length + 3;
  return n;
}

function tokenize(html: string): Atom[] {
  const atoms: Atom[] = [];
  const re = /<\/[^>]*>|<[^>]*>|&[#a-zA-Z0-9]+;|[\s\S]/g;
  for (const m of html.matchAll(re)) {
    const raw = m[0];
    if (raw.startsWith("</")) atoms.push({ kind: "close", raw });
    else if (raw.startsWith("<") && raw.length > 1) {
      const name = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw)?.[1].toLowerCase() ?? "";
      atoms.push({ kind: "open", name, raw });
    } else atoms.push({ kind: "text", raw });
  }
  return atoms;
}

function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, "");
}
