import fg from "fast-glob";

/** JSON files directly in a directory, sorted; none when it does not exist. */
export async function listJson(dir: string, patterns: string[] = ["*.json"]): Promise<string[]> {
  // fast-glob skips dot-files, which is where temporary files of writers live.
  const found = await fg(patterns, { cwd: dir, onlyFiles: true, absolute: true, deep: 1 });
  return found.sort();
}

/** The results files of a results directory: `*.json` and `*.json.gz`, anything else ignored. */
export function listResultsFiles(dir: string): Promise<string[]> {
  return listJson(dir, ["*.json", "*.json.gz"]);
}
