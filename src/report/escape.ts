/**
 * Text from the state goes into the page only through `text` (or `attr`):
 * package names, triggers, messages and paths are hostile input, and a
 * package named `<script>` must show as those characters.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function text(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** For attribute values (always written in double quotes): the same escaping. */
export const attr = text;

/** A count as a person reads it: 19932 as 19,932 (the same on every machine, whatever its locale). */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  const digits = String(Math.trunc(n));
  const negative = digits.startsWith("-");
  const body = negative ? digits.slice(1) : digits;
  return (negative ? "-" : "") + body.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
