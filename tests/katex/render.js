// Renders a batch of LaTeX formulas with KaTeX, strictly.
// stdin: a JSON array of strings. stdout: a JSON array with, for each formula,
// null when it rendered, or KaTeX's error message. One process serves the whole
// batch because starting node per formula would dominate the test's time.
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((formula) => {
    try {
      katex.renderToString(formula, {
        displayMode: true,
        throwOnError: true,
        // "error" turns KaTeX's warnings (unknown commands in text mode, unicode
        // it would render as-is) into failures: the output must be clean LaTeX.
        strict: "error",
      });
      return null;
    } catch (err) {
      return String(err.message || err);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
