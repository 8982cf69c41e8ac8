/**
 * Shell-style patterns as debci's reject list matches package names with
 * them (Ruby's `File.fnmatch(pattern, name)` with no flags, in
 * `lib/debci/reject_list.rb`): `*` any run of characters, `?` any one,
 * `[...]` a class (`!` or `^` negates, `a-z` ranges), `\` escapes the next
 * character. Braces are literal (no FNM_EXTGLOB).
 */
export function hasGlob(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}

const SPECIAL = /[.+^${}()|\]\\/-]/g;

/** The pattern as an anchored RegExp; a malformed class (no closing `]`) matches its `[` literally, as fnmatch does. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) out += pattern[++i]!.replace(SPECIAL, "\\$&").replace(/[*?[]/, "\\$&");
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negate = true;
        body = body.slice(1);
      }
      // Inside a class only `\`, `]` and `^` need care; `-` keeps its range meaning.
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^[]/g, "\\$&")}]`;
      i = close;
    } else out += c.replace(SPECIAL, "\\$&").replace(/[*?[]/, "\\$&");
  }
  return new RegExp(`^${out}$`);
}
