// The Card: the one message model every adapter renders natively. The markdown body
// is parsed once here with marked; renderers walk the tokens, never the raw text.

import { Lexer, type Token, type TokensList } from "marked";

export type ButtonStyle = "primary" | "danger" | "default";

/** A button carries only an opaque short id; what it does stays on the server. */
export interface Button {
  /** Opaque id from the action registry, at most 32 ASCII chars (fits Telegram's 64-byte callback_data). */
  readonly id: string;
  readonly label: string;
  readonly style?: ButtonStyle;
}

export interface Field {
  readonly label: string;
  readonly value: string;
}

export type CardTone = "info" | "success" | "warning" | "danger";

export interface Card {
  /** Optional one-line title, rendered as a header. */
  readonly title?: string;
  /** Markdown source, kept for platforms and logs that want it. */
  readonly markdown: string;
  /** marked's tokens for `markdown`, parsed once. */
  readonly tokens: TokensList;
  readonly fields: readonly Field[];
  readonly buttons: readonly Button[];
  /** Outcome line shown instead of active buttons, e.g. "Approved by @ana at 14:02 UTC". */
  readonly state?: string;
  readonly tone?: CardTone;
}

export interface CardInput {
  title?: string;
  markdown?: string;
  fields?: readonly Field[];
  buttons?: readonly Button[];
  state?: string;
  tone?: CardTone;
}

export const MAX_BUTTON_ID_LENGTH = 32;

/** Builds a card, parsing its markdown once. Button ids are checked here so no platform limit is ever hit. */
export function createCard(input: CardInput): Card {
  const markdown = input.markdown ?? "";
  for (const b of input.buttons ?? []) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(b.id) || b.id.length > MAX_BUTTON_ID_LENGTH) {
      throw new Error(
        `button id ${JSON.stringify(b.id)} must be 1-${MAX_BUTTON_ID_LENGTH} chars of [A-Za-z0-9_.:-]`,
      );
    }
  }
  return {
    title: input.title,
    markdown,
    tokens: new Lexer({ gfm: true }).lex(markdown),
    fields: input.fields ?? [],
    buttons: input.buttons ?? [],
    state: input.state,
    tone: input.tone,
  };
}

/** A plain-text card: the common case of a short reply. */
export function textCard(markdown: string): Card {
  return createCard({ markdown });
}

/** The same card with its buttons removed and an outcome line set: what a click leaves behind. */
export function settleCard(card: Card, state: string): Card {
  return { ...card, buttons: [], state };
}

export type { Token, TokensList };
