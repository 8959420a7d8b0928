// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.infra/', 'runs/', 'bench/results/', '.build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The CLIs and benchmark own their terminal output.
    files: ['harness/cli/**', 'bench/**', 'producer/main.ts', 'workers/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // What differs between transports is a driver verb or feature flag (lib/transports/<name>/),
    // never a branch on a transport's name elsewhere.
    files: ['**/*.ts'],
    ignores: ['lib/transports/*/**', 'lib/transports/registry.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'BinaryExpression > Literal',
          'SwitchCase > Literal',
          'CallExpression[callee.property.name="includes"] > Literal',
        ].map((parent) => ({
          selector: `${parent}[value=/^(kafka|redis|bullmq)$/]`,
          message: 'branch on a driver verb or feature flag (lib/transports), not a transport name',
        })),
      ],
    },
  },
  {
    // Imports flow one way: lib <- producer, workers <- harness <- scenarios (DESIGN.md 3).
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/producer/**', '**/workers/**', '**/harness/**', '**/bench/**'] },
      ],
    },
  },
  {
    files: ['harness/**/*.ts'],
    // The CLI is where the catalogue is loaded.
    ignores: ['harness/cli/scenario.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/scenarios/**'] }] },
  },
  {
    // One concern per function (issue 10). test/ is not covered.
    files: [
      'lib/**/*.ts',
      'producer/**/*.ts',
      'workers/**/*.ts',
      'harness/**/*.ts',
      'bench/**/*.ts',
      'scenarios/**/*.ts',
    ],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Mocha loads reporters with require(), so this one is CommonJS.
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly' },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
