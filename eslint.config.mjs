// Flat config: typescript-eslint's recommended rules, with Prettier owning formatting.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "plan-out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // The program, the plan engine and the tools stand on their own: tests import them, never the other way
    // round (tests/project/layout.spec.ts checks the resolved imports too).
    files: ["**/*.ts"],
    ignores: ["tests/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/tests", "**/tests/**"],
              message: "production code must not import from tests/; move what both need out of tests/",
            },
          ],
        },
      ],
    },
  },
);
