/*
 * The page's constants that are not markup: where Bootstrap comes from when the app asks for it
 * (the page's own stylesheet, page-style.ts, is always there: the page looks right without the
 * internet), and the words a factory reset must carry. Frozen, so on XS they stay in flash.
 */

/** The words POST /api/factory-reset (and the page's form) must carry, so a stray request never erases anything. */
export const FACTORY_RESET_CONFIRMATION = "erase everything";

export const BOOTSTRAP_CSS = Object.freeze({
  href: "https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css",
  integrity: "sha384-QWTKZyjpPEjISv5WaRU9OFeRpok6YctnYmDr5pNlyT2bRjXh0JMhjY6hW+ALEwIH",
});
