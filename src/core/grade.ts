/**
 * britney2's own words for a key's result (its `Result` enum, in
 * britney2/policies/autopkgtest.py of Debian's britney2): a finished result,
 * or an old one (for a version no longer in testing or unstable, or a
 * reference result older than ADT_REFERENCE_MAX_AGE), which still judges
 * but is asked for again. NONE is a baseline with no reference result.
 */
export type Grade = "PASS" | "NEUTRAL" | "FAIL" | "OLD_PASS" | "OLD_NEUTRAL" | "OLD_FAIL";
export type BaselineGrade = Grade | "NONE";

/** britney2 keeps the best result of a key: PASS before NEUTRAL before FAIL. */
export const STATUS_RANK = { pass: 1, neutral: 2, fail: 3 } as const;

const GRADES = { pass: ["PASS", "OLD_PASS"], neutral: ["NEUTRAL", "OLD_NEUTRAL"], fail: ["FAIL", "OLD_FAIL"] } as const;

export function gradeOf(status: "pass" | "neutral" | "fail", old: boolean): Grade {
  return GRADES[status][old ? 1 : 0];
}

export function isOld(grade: BaselineGrade | null): boolean {
  return grade !== null && grade.startsWith("OLD_");
}

/** FAIL or OLD_FAIL: the results britney2 labels against the baseline. */
export function isFailure(grade: BaselineGrade | null): boolean {
  return grade === "FAIL" || grade === "OLD_FAIL";
}
