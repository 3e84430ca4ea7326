// Lint rules, including the layer boundaries described in ARCHITECTURE.md#layers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layerMessage = 'see ARCHITECTURE.md#layers';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'out/**', '**/*.d.ts', 'renderer/dist/**', 'test-results/**', 'artifacts/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        URL: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['engine/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/services/**', '**/drivers/**', '**/api/**', '**/platform/**'],
              message: `core/ depends on nothing else in the engine (${layerMessage})`,
            },
            {
              group: ['node:fs*', 'node:child_process', 'node:net', 'node:http'],
              message: `core/ does no I/O (${layerMessage})`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/drivers/**', '**/api/**', '**/platform/**'],
              message: `services/ use core/ interfaces, injected by engine.ts (${layerMessage})`,
            },
            { group: ['node:child_process'], message: `only platform/ spawns processes (${layerMessage})` },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/drivers/**', '**/platform/**'], message: `api/ talks to services only (${layerMessage})` },
            { group: ['node:child_process'], message: `only platform/ spawns processes (${layerMessage})` },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/src/drivers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/services/**', '**/api/**'], message: `drivers/ implement core/ interfaces (${layerMessage})` },
            { group: ['node:child_process'], message: `only platform/ spawns processes (${layerMessage})` },
          ],
        },
      ],
    },
  },
  {
    files: ['common/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'electron', 'react', '**/engine/**'], message: `common/ is pure TypeScript (${layerMessage})` },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'engine/src/testing/**/*.ts', 'scripts/**', 'e2e/**'],
    rules: { 'no-restricted-imports': 'off', 'no-console': 'off' },
  },
);
