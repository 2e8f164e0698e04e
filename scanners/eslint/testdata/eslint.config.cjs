// ESLint flat config for the testdata: eslint-plugin-security's
// recommended rules, plus no-eval to show a suppressed message. The plugin
// is found through NODE_PATH (see README.md), so nothing is installed in
// the repository.
const security = require("eslint-plugin-security");

module.exports = [
	security.configs.recommended,
	{
		files: ["src/**/*.js"],
		languageOptions: { sourceType: "commonjs", ecmaVersion: 2022 },
		rules: { "no-eval": "error" },
	},
];
