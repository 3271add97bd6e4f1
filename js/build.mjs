// Builds the widget library and its loader into the Python package (npkit/widgets/static/),
// where they are committed, so installing npkit (Binder, CI, pip) never needs node.
//   node build.mjs           write the bundles
//   node build.mjs --check   exit 1 when the committed bundles differ from a fresh build
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";

const OUT = new URL("../npkit/widgets/static/", import.meta.url);
const common = { bundle: true, format: "esm", minify: true, legalComments: "none", target: "es2020", write: false,
  loader: { ".css": "text" }, logLevel: "warning" };
const targets = [
  ["src/index.js", "npkit.js"],
  ["src/loader.js", "loader.js"],
];
let stale = [];
for (const [entry, name] of targets) {
  const result = await build({ ...common, entryPoints: [new URL(entry, import.meta.url).pathname] });
  const text = result.outputFiles[0].text;
  const path = new URL(name, OUT);
  if (process.argv.includes("--check")) {
    let committed = "";
    try { committed = readFileSync(path, "utf8"); } catch { /* missing counts as stale */ }
    if (committed !== text) stale.push(name);
  } else {
    writeFileSync(path, text);
    console.log(`${name}: ${(text.length / 1024).toFixed(0)} KiB`);
  }
}
if (stale.length) {
  console.error(`stale: ${stale.join(", ")} (run make js)`);
  process.exit(1);
}
