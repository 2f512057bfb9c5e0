import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The simulator's core does no I/O and reads no clock or global randomness (DESIGN.md).
    files: ['engine/**/*.ts', 'partitioners/**/*.ts', 'indexes/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'process', 'console'],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded Random passed in.' },
        { object: 'Date', property: 'now', message: 'Time comes from the simulated clock.' },
        { object: 'performance', property: 'now', message: 'Time comes from the simulated clock.' },
      ],
    },
  },
);
