import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_GOT = { name: 'got', message: 'Use src/lib/safe-fetch.ts for outbound requests.' };
const NO_PRISMA = { group: ['**/generated/prisma/**'], message: 'Only src/db and *.repo.ts touch Prisma.' };

const focusedOrSkipped = ['it', 'test', 'describe'].flatMap((fn) =>
  ['only', 'skip'].map((m) => ({
    selector: `MemberExpression[object.name='${fn}'][property.name='${m}']`,
    message: 'Focused or skipped tests must not be committed.',
  })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', Headers: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'multi-line'],
      'no-restricted-syntax': ['error', ...focusedOrSkipped],
    },
  },
  {
    // Tests and benchmarks poke at loosely typed JSON replies on purpose.
    files: ['test/**', 'bench/**', 'sim/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['*.js', 'scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Architecture boundaries (STYLE.md): dependencies point one way. Flat config replaces a rule's
  // options per matching block, so each block lists every restriction that applies to its files.
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    ignores: ['src/lib/safe-fetch.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use src/lib/safe-fetch.ts for outbound requests.' }],
    },
  },
  {
    files: ['src/db/**/*.ts', 'src/**/*.repo.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_GOT] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', 'src/**/*.repo.ts', 'src/lib/safe-fetch.ts', 'src/errors.ts', 'src/config.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_GOT], patterns: [NO_PRISMA] }] },
  },
  {
    files: ['src/**/*.routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_GOT],
          patterns: [
            NO_PRISMA,
            { group: ['**/*.repo.js'], message: 'Routes call services, never repositories.' },
            { group: ['**/redis/**'], message: 'Routes call services; only src/redis touches Redis.' },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_GOT, { name: 'koa', message: 'Workers never import the HTTP layer.' }],
          patterns: [
            NO_PRISMA,
            { group: ['**/src/http/**', '@koa/*'], message: 'Workers never import the HTTP layer.' },
            { group: ['**/*.repo.js'], message: 'Workers call services.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/errors.ts', 'src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./*', '../*'], message: 'errors.ts and config.ts import nothing from the project.' }] },
      ],
    },
  },
);
