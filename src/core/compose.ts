// Middleware composition: `(ctx, next) => Promise<void>`, as in grammY's Composer and
// Hono's compose. Calling next() twice is a bug and fails loudly.

import { ErrorCodes, VigilError } from "./errors.ts";

export type Next = () => Promise<void>;
export type Middleware<C> = (ctx: C, next: Next) => Promise<void>;

export function compose<C>(middleware: readonly Middleware<C>[]): (ctx: C) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= last)
        throw new VigilError(
          ErrorCodes.MIDDLEWARE_NEXT_TWICE,
          "next() called more than once in one middleware",
        );
      last = i;
      const mw = middleware[i];
      if (!mw) return;
      await mw(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
