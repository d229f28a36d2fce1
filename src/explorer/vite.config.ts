/**
 * Vite build of the explorer: `vite build src/explorer` (the root is this folder) writes the static site
 * to dist/explorer/. Assets get hashed names; `config.json` (public/) is read at run time, so one build
 * points at any chain and market.
 */
import { defineConfig, type Plugin } from "vite";

/**
 * The SDK's browser entry reaches a few modules that also hold Node-only helpers (file downloads), which
 * the explorer never calls. Their `node:` imports become a stub whose every export throws when used.
 */
function nodeBuiltinsStub(): Plugin {
  const prefix = "\0node-stub:";
  return {
    name: "openpoco-node-stub",
    enforce: "pre",
    resolveId(id) {
      return id.startsWith("node:") ? prefix + id : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = JSON.stringify(id.slice(prefix.length));
      return {
        code: `const unavailable = (key) => () => { throw new Error(${name} + "." + String(key) + " is not available in the browser"); };
export default new Proxy({}, { get: (_target, key) => (key === "__esModule" ? false : unavailable(key)) });`,
        syntheticNamedExports: true,
      };
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [nodeBuiltinsStub()],
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "../../dist/explorer",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1024,
    reportCompressedSize: false,
  },
  server: { host: "127.0.0.1" },
});
