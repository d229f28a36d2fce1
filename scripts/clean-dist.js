// Empties dist/ before a build: tsc never deletes output, so a module that moved (sdk/market.ts became the folder
// sdk/core/market/) would leave its old .js behind, and Node would load the stale file first.
require("node:fs").rmSync(require("node:path").join(__dirname, "..", "dist"), {
  recursive: true,
  force: true,
});
