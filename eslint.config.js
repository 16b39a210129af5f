import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "reports/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The dashboard's browser script: a classic script beside uPlot's, in the browser's globals.
    files: ["src/dashboard/static/**/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: {
        document: "readonly",
        location: "readonly",
        history: "readonly",
        fetch: "readonly",
        URLSearchParams: "readonly",
        uPlot: "readonly",
      },
    },
  },
);
