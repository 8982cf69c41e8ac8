// Writes a help2man include file: a COMMANDS section made of each
// `debci-bridge COMMAND --help`, and a SEE ALSO section.
// Usage: node debian/man-include.mjs path/to/bin/debci-bridge.js > FILE
import { execFileSync } from "node:child_process";

const bin = process.argv[2];
const run = (...args) => execFileSync(process.execPath, [bin, ...args], { encoding: "utf8" });
// The overview lists each command, indented, with its purpose: `  plan    answer britney2's needs...`.
const commands = [...run("--help").matchAll(/^ {2}([a-z][a-z-]*) {2,}\S/gm)].map((m) => m[1]);
const roff = (text) =>
  text
    .replace(/\\/g, "\\e")
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");

let out = "[COMMANDS]\n";
for (const command of commands) {
  out += `.SS ${command}\n.nf\n${roff(run(command, "--help").trimEnd())}\n.fi\n`;
}
out += "[FILES]\n.TP\n.I /usr/share/debci-bridge/\nthe program and its private JavaScript modules\n";
out += ".TP\n.I /usr/lib/python3/dist-packages/debci_bridge.py\nthe Python client britney2 imports (it runs this command)\n";
out += ".TP\n.I /usr/share/doc/debci-bridge/examples/\nbritney2 configuration and a policy using the client\n";
out += "[SEE ALSO]\n.I /usr/share/doc/debci-bridge/README.md\nand the notes in\n.I /usr/share/doc/debci-bridge/docs/\n";
process.stdout.write(out);
