// ESLint (flat config): rules that flag real problems; style is prettier's (npm run lint:format).
// typescript-eslint's recommended set without type information (the type-aware set costs a full type check, which
// `npm run lint:ts` already does), and the rules of hooks for the explorer (Preact hooks follow React's rules).
import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "artifacts/",
      "cache/",
      "coverage/",
      "typechain-types/",
      "forge-out/",
      "forge-cache/",
      "deployments/",
      "reference/",
      "storage-layout/",
      "test-artifacts/",
      "data/",
      "src/explorer/public/",
    ],
  },
  {
    // An `eslint-disable` comment that disables nothing is an error: each one left in the code means something.
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Prettier breaks a long chain before a computed member (`contract\n  ["f(uint256)"](...)`), which this
      // rule reads as a statement ending early; prettier owns line breaks.
      "no-unexpected-multiline": "off",
      // `_name` marks a parameter or binding kept on purpose (a callback's signature, a destructured rest).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The SDK's core is what web front ends bundle: no Node module, no Node-only part of the SDK, no Node globals.
    files: ["src/sdk/core/**/*.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        ...["Buffer", "process", "__dirname", "__filename", "require"].map((name) => ({
          name,
          message:
            "src/sdk/core/ runs in browsers: this is a Node global; put Node-only code in src/sdk/node/.",
        })),
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^node:",
              message: "src/sdk/core/ runs in browsers: put Node-only code in src/sdk/node/.",
            },
            {
              regex: "^(fs|path|os|crypto|stream|child_process|http|https|net|zlib)(/|$)",
              message: "src/sdk/core/ runs in browsers: put Node-only code in src/sdk/node/.",
            },
            {
              regex: "(^|/)node(/|$)",
              message: "src/sdk/core/ must not import src/sdk/node/: browsers cannot load it.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/explorer/**/*.ts", "src/explorer/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
);
