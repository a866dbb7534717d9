// Lint rules of every dashboard project (the app and libs/dashboard/*): Angular's, the `rt`
// selector prefix, and the imports the browser bundle must never pull in.
import nx from '@nx/eslint-plugin';
import baseConfig from './eslint.config.mjs';

export default [
  ...nx.configs['flat/angular'],
  ...nx.configs['flat/angular-template'],
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@angular-eslint/directive-selector': [
        'error',
        {
          type: 'attribute',
          prefix: 'rt',
          style: 'camelCase',
        },
      ],
      '@angular-eslint/component-selector': [
        'error',
        {
          type: 'element',
          prefix: 'rt',
          style: 'kebab-case',
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@realtime/contracts/schemas',
              message:
                'Runtime validators stay out of the browser bundle: import types from @realtime/contracts.',
            },
          ],
          patterns: [{ group: ['@nestjs/*'], message: 'The dashboard never imports Nest.' }],
        },
      ],
    },
  },
];
