import type { z } from "zod";

/** The first problem zod found, as `where: what`, for messages that name the spot. */
export function firstProblem(error: z.ZodError, prefix = ""): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const path = issue.path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc === "" ? String(part) : `${acc}.${String(part)}`),
    prefix,
  );
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}

/** The first of several problems and how many more there are: `first (and 2 more)`, `what` naming them (`line(s)`). */
export function firstOfProblems(problems: readonly string[], what = ""): string {
  return problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more${what === "" ? "" : ` ${what}`})` : (problems[0] ?? "");
}
