import { execFileSync, spawnSync } from "node:child_process";

export function hasDpkg(): boolean {
  return spawnSync("dpkg", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The order dpkg itself gives: -1, 0 or 1. Throws if dpkg rejects a version. */
export function dpkgCompare(a: string, b: string): -1 | 0 | 1 {
  const check = (op: string): boolean => {
    const r = spawnSync("dpkg", ["--compare-versions", a, op, b], { stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0 && r.status !== 1) throw new Error(`dpkg rejected ${a} / ${b}: ${r.stderr}`);
    if (r.stderr.length > 0) throw new Error(`dpkg warned on ${a} / ${b}: ${r.stderr}`);
    return r.status === 0;
  };
  if (check("lt")) return -1;
  return check("eq") ? 0 : 1;
}

export function dpkgVersion(): string {
  return execFileSync("dpkg", ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "";
}
