// ESLint flat config for the sample tree: only eslint-plugin-security's
// recommended rules. record.sh sets NODE_PATH so that require finds the
// plugin in the eslint install outside the tree.
const security = require('eslint-plugin-security');

module.exports = [
  { ignores: ['eslint.config.js'] },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
    ...security.configs.recommended,
  },
];
