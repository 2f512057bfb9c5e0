import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports point down only (ARCHITECTURE.md, "Layers"): each folder names what it may not import. */
const layer = (...above) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: above.map((folder) => ({
        group: [`**/${folder}/*`, `**/${folder}/**`],
        message: `this layer may not import from ${folder}/ (imports point down: cli → bench → partitioners → engine)`,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: layer('partitioners', 'indexes', 'rebalancing', 'bench', 'cli'),
  },
  {
    files: ['partitioners/**/*.ts', 'indexes/**/*.ts', 'rebalancing/**/*.ts'],
    rules: layer('bench', 'cli'),
  },
  { files: ['bench/**/*.ts'], rules: layer('cli') },
  {
    // The simulator's core does no I/O and reads no clock or global randomness.
    files: ['engine/**/*.ts', 'partitioners/**/*.ts', 'indexes/**/*.ts', 'rebalancing/**/*.ts'],
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
