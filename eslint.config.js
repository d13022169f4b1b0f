import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_PROCESS_ENV = { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through core/config.ts' };
// A module declares its errors once, in <module>.errors.ts (code → status); test/platform/errors.test.ts
// fails when one code has two statuses, and it can only see the errors declared there.
const ERRORS_DECLARED_ONCE = { selector: "NewExpression[callee.name='AppError']", message: 'Declare the error in <module>.errors.ts (or use a core/errors.ts one) and throw it from there' };

export default tseslint.config(
  { ignores: ['dist/', 'web/console/dist/', 'web/widget/dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', NO_PROCESS_ENV],
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    // accounts (sign-in, tokens) is converted separately; issue 17 item 6.
    ignores: ['src/modules/**/*.errors.ts', 'src/modules/accounts/**'],
    rules: { 'no-restricted-syntax': ['error', NO_PROCESS_ENV, ERRORS_DECLARED_ONCE] },
  },
  {
    // A module's index.ts is its public surface: repositories stay inside the module (docs/modules.md).
    files: ['src/modules/**/index.ts'],
    rules: {
      'no-restricted-syntax': ['error', NO_PROCESS_ENV, ERRORS_DECLARED_ONCE,
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
