/*
 * xsnap's own globals, as the apps that run inside it see them (the XS memory apps, the bench's
 * XS side): a collection on demand, its TextEncoder and TextDecoder, and the command hook the
 * parent process calls. Engine-neutral code reaches them through globalThis; this is the one
 * place that says what they are.
 */

export const xsnap = globalThis as unknown as {
  gc(): void;
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new () => { decode(bytes: ArrayBuffer | Uint8Array): string };
  handleCommand?: (message: ArrayBuffer) => ArrayBuffer | undefined;
};

/** xsnap's TextEncoder and TextDecoder, one each. */
export const encoder = new xsnap.TextEncoder();
export const decoder = new xsnap.TextDecoder();
