// One tool for lint and format: ESLint with typescript-eslint (types-aware rules off for speed)
// and @stylistic for formatting. Run with `npm run lint` / `npm run format`.
import stylistic from "@stylistic/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
	{ ignores: ["dist/**", "node_modules/**", ".tmp/**"] },
	...tseslint.configs.recommended,
	stylistic.configs.customize({ indent: "tab", quotes: "double", semi: true, jsx: true, braceStyle: "1tbs" }),
	{
		files: ["**/*.ts", "**/*.tsx"],
		rules: {
			"@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
			"@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
			"@stylistic/max-len": ["error", { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
			"@stylistic/operator-linebreak": ["error", "after", { overrides: { "?": "before", ":": "before", "|": "before" } }],
			"@stylistic/arrow-parens": ["error", "always"],
			"@stylistic/quote-props": ["error", "as-needed"],
			"@stylistic/quotes": ["error", "double", { avoidEscape: true }],
			"no-control-regex": "off",
		},
	},
);
