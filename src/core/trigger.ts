/** Triggers: `source/version`, several to a run separated by spaces. */

export const REFERENCE_TRIGGER = "migration-reference/0";

/** The triggers a run counts for; a run with no trigger (not requested by britney) counts for none. */
export function splitTriggers(trigger: string | null): string[] {
  if (trigger === null) return [];
  return trigger.split(" ").filter((t) => t.length > 0);
}

/** The key's trigger of a full trigger string: its first word. */
export function keyTrigger(triggers: string): string | undefined {
  // The common case, one trigger and no stray space, needs no split.
  if (triggers.length > 0 && !triggers.includes(" ")) return triggers;
  return splitTriggers(triggers)[0];
}

/**
 * The version a trigger uploads of `source`, or null when it uploads
 * another source: parseTrigger's answer for one source, without making an
 * object for every other trigger (asked for every question).
 */
export function versionUploadedBy(trigger: string, source: string): string | null {
  const n = source.length;
  // The source is what precedes the first "/", so a name holding one never matches.
  if (trigger.length <= n + 1 || trigger.charCodeAt(n) !== 47 /* / */ || !trigger.startsWith(source) || source.includes("/")) return null;
  return trigger.slice(n + 1);
}

export function parseTrigger(trigger: string): { source: string; version: string } | null {
  const slash = trigger.indexOf("/");
  if (slash <= 0 || slash === trigger.length - 1) return null;
  return { source: trigger.slice(0, slash), version: trigger.slice(slash + 1) };
}
