const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/api'),
    clean: true,
    ...(process.env.NODE_ENV !== 'production' && {
      devtoolModuleFilenameTemplate: '[absolute-resource-path]',
    }),
  },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // `npm run users -- …`: the accounts CLI (apps/api/src/cli/users.ts).
      // …and SQLite's checkpoint thread (apps/api/src/infra/database/sqlite-checkpointer.ts).
      additionalEntryPoints: [
        { entryName: 'users-cli', entryPath: './src/cli/users.ts' },
        { entryName: 'sqlite-checkpointer', entryPath: './src/infra/database/sqlite-checkpointer.worker.ts' },
      ],
      tsConfig: './tsconfig.app.json',
      assets: ['./src/assets'],
      optimization: false,
      outputHashing: 'none',
      generatePackageJson: true,
      sourceMap: true,
    }),
  ],
};
