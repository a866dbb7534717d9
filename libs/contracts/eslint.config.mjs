import baseConfig from '../../eslint.config.mjs';

// Contracts are plain TypeScript shared by both apps: no framework may creep in.
export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@angular/*', '@nestjs/*', 'rxjs', 'rxjs/*'],
              message: 'libs/contracts imports neither Angular, Nest nor RxJS.',
            },
          ],
        },
      ],
    },
  },
];
