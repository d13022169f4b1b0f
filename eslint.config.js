import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'web/console/dist/', 'web/widget/dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='process'][property.name='env']",
        message: 'Read settings through core/config.ts',
      }],
    },
  },
  {
    // A module's index.ts is its public surface: repositories stay inside the module (docs/modules.md).
    files: ['src/modules/**/index.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through core/config.ts' },
        { selector: 'ExportSpecifier[exported.name=/Repo$/]', message: 'No repository is exported from a module\'s index.ts: give other modules a port or a service call' },
        { selector: 'ExportNamedDeclaration > ClassDeclaration[id.name=/Repo$/]', message: 'No repository is exported from a module\'s index.ts' },
        { selector: 'ExportAllDeclaration[source.value=/\\.repo\\.js$/]', message: 'No repository is exported from a module\'s index.ts' },
      ],
    },
  },
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    files: ['src/core/config.ts', 'test/**', 'bench/**', '**/__tests__/**', 'vitest.config.ts', 'web/console/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
