import { awscdk, javascript } from 'projen';
import { addCodeBoundaries } from './projenrc/boundaries';
import { addBundles } from './projenrc/bundles';
import { addChecks } from './projenrc/checks';
import { BUNDLED_DEPS, DEV_DEPS } from './projenrc/dependencies';
import { addLocalRuns } from './projenrc/local-runs';
import { CDK_VERSION } from './projenrc/versions';

// The project's definition; its parts are modules in projenrc/: versions and dependencies, the bundles,
// the code boundaries (lint), the checks beyond the tests, and what runs locally (demo, local deployment,
// benchmarks, fault run).
const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-tap-serverless',
  description:
    'An AWS CDK v2 L3 construct for a secure, observable serverless file-ingestion pipeline: ' +
    'S3 uploads turned into thumbnails and JSON-Schema validation reports, a notifications REST API, ' +
    'a dead-letter queue, least-privilege IAM, logs and alarms.',
  author: 'TapServerless',
  authorAddress: 'maintainers@tapserverless.dev',
  repositoryUrl: 'https://github.com/tapserverless/cdk-tap-serverless.git',
  homepage: 'https://github.com/tapserverless/cdk-tap-serverless',
  license: 'Apache-2.0',
  keywords: ['awscdk', 'cdk', 'serverless', 's3', 'lambda', 'apigateway', 'dynamodb', 'thumbnails', 'json-schema'],
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // The development tsconfig (tests, examples, scripts, bench) at the root; test/tsconfig.json extends it
  // so that editors, which look for the nearest tsconfig.json, type-check the tests with it.
  tsconfigDevFile: 'tsconfig.dev.json',
  // Source maps beside the JavaScript (lib/*.js.map, sources inside), not inline: every consumer
  // app's synth loads lib/, and inline maps were 70 % of its bytes (`npx projen bench`, module
  // loading). Debuggers and `node --enable-source-maps` read the .map files the same way.
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: true, sourceMap: true } },

  cdkVersion: CDK_VERSION,
  jsiiVersion: '~6.0.0',

  // This repository's CI is `.ci/run` (it runs on a clean clone). The GitHub workflows projen
  // generates are the publishing path: build, release (conventional-commit version bump,
  // changelog, npm, PyPI, Maven Central and the Go module repository), dependency upgrades and
  // pull-request title lint. 0.x on purpose: breaking changes bump the minor version until 1.0.
  github: true,
  release: true,
  majorVersion: 0,
  releaseToNpm: true,
  bumpPackage: 'commit-and-tag-version@13.2.1',
  githubOptions: { mergify: false, pullRequestLintOptions: { semanticTitleOptions: { types: ['feat', 'fix', 'chore', 'docs', 'test', 'ci', 'refactor', 'perf', 'build'] } } },

  // Every Lambda handler is a `<feature>/<name>.lambda.ts` file, bundled at build time so that
  // Python, Java and Go consumers need neither esbuild nor Docker. They are declared below (not
  // auto-discovered): the construct builds every function itself from the bundles (one factory),
  // and the image processor is bundled differently (sharp is external).
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,
  experimentalIntegRunner: true,

  jestOptions: {
    // A changed snapshot must fail the suite; `npx projen test:update` refreshes them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // Coverage is written to coverage/ (lcov, clover, json); the text table on demand:
    // `npx jest --coverageReporters=text`.
    coverageText: false,
    jestConfig: {
      testTimeout: 60_000,
      // Every core: most suites wait on moto, child processes and sockets, so two workers on two cores
      // halve the suite's time (jest's default leaves one core idle).
      maxWorkers: '100%',
      // One moto server (S3, DynamoDB, SQS) on 127.0.0.1 for the handler tests, started and
      // stopped by the suite itself (installed into the project-local .venv on first use).
      globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
      // Node's environment, with a temporary directory per test file that is removed when the file ends.
      testEnvironment: '<rootDir>/test/support/jest-environment.ts',
    },
  },

  publishToPypi: {
    distName: 'cdk-tap-serverless',
    module: 'cdk_tap_serverless',
  },
  publishToMaven: {
    javaPackage: 'io.github.tapserverless.cdk',
    mavenGroupId: 'io.github.tapserverless',
    mavenArtifactId: 'cdk-tap-serverless',
  },
  publishToGo: {
    moduleName: 'github.com/tapserverless/cdk-tap-serverless-go',
  },

  // The construct compiles the data schema at synth with these (bundled: not jsii modules); the rest are
  // dev dependencies (projenrc/dependencies.ts).
  bundledDeps: BUNDLED_DEPS,
  devDeps: DEV_DEPS,

  // Integ snapshots are compared by template; their asset folders (bundles, the AWS CLI layer) are
  // rebuilt on every synth and would add tens of MB per snapshot update.
  gitignore: ['cdk.out', 'cdk.out.*', '/.venv/', '/.venv-checkov/', '__pycache__/', '*.tsbuildinfo', '/.tmp/', 'test/*.snapshot/asset.*', 'test/consumers/java/target/'],
  npmIgnoreOptions: { ignorePatterns: ['/.ci/', '/examples/', '/scripts/', '/.venv/', '/.venv-checkov/', '/.tmp/', 'cdk.out', 'cdk.out.*'] },
});

addBundles(project);
addCodeBoundaries(project);
addChecks(project);
addLocalRuns(project);

project.synth();
