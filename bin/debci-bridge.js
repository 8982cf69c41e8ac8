#!/usr/bin/env node
// Runs the built CLI (dist/, made by `npm ci` through the prepare script, or `npm run build`): plain
// JavaScript, no TypeScript loader at start-up.
let main;
try {
  ({ main } = await import("../dist/cli/main.js"));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli/main.js")) throw error;
  process.stderr.write("debci-bridge: not built: run `npm run build` (npm ci does it) in the debci-bridge checkout\n");
  process.exit(1);
}
// A reader that stops early (`| head`) must not crash the run before it commits: output is dropped, the work goes on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
