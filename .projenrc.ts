import { awscdk, javascript } from 'projen';

// Versions measured to work together on our build machines (docs/toolchain.md).
// aws-cdk-lib 2.257.0 is the last release on cloud-assembly schema 53, which is
// the newest schema the newest integ-runner understands. It is our *minimum*
// supported version: consumers may use any newer 2.x.
const CDK_VERSION = '2.257.0';
const AWS_SDK_VERSION = '3.1169.0';
const POWERTOOLS_VERSION = '2.36.0';
// sharp (libvips) for the image processor: a dev dependency (the tests generate images with it)
// pinned exactly, and the same version installed per architecture into the image function's
// assets by `bundle:image-processor:sharp`. 0.35 needs Node >= 20.9 and glibc >= 2.28 (Lambda
// nodejs24.x runs on Amazon Linux 2023, glibc 2.34).
const SHARP_VERSION = '0.35.5';

// Bundle AWS SDK v3 (no externals), minified, preferring ES modules: the smallest bundle and
// fastest module load we measured (docs/toolchain.md). projen forwards these to `addBundle`, whose
// options (minify, mainFields) are wider than the `BundlingOptions` type it declares.
const FUNCTION_BUNDLING: javascript.AddBundleOptions = {
  target: 'node24',
  platform: 'node',
  externals: [],
  minify: true,
  mainFields: ['module', 'main'],
  watchTask: false,
  tsconfigPath: 'tsconfig.dev.json',
  esbuildArgs: {
    // The AWS SDK's default credential chain brings STS, SSO and sign-in clients (about 95 KiB minified)
    // that a function never runs: Lambda passes the role's credentials in environment variables. The
    // functions keep the environment and container-endpoint links (scripts/bundle-shims/lambda-credentials.js).
    '--alias:@aws-sdk/credential-provider-node=./scripts/bundle-shims/lambda-credentials.js': true,
    // esbuild exports `handler` as a getter that cannot be redefined; wrappers that replace the
    // handler (the OpenTelemetry layer of `applicationSignals`) need a plain, writable property.
    '--footer:js=module.exports=Object.assign({},module.exports);': true,
  },
};

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
      // One moto server (S3, DynamoDB, SQS) on 127.0.0.1 for the handler tests, started and
      // stopped by the suite itself (installed into the project-local .venv on first use).
      globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
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

  // The construct itself compiles the data schema at synth (to check it and to precompile a
  // standalone validator). Not jsii modules, so they are bundled into the package, or Python,
  // Java and Go consumers would fail at synth. esbuild also bundles them for handlers. re2js (RE2 in
  // JavaScript, no native code) runs the schemas' patterns in linear time, and checks them at synth.
  bundledDeps: ['ajv@8.20.0', 'ajv-formats@3.0.1', 're2js@2.10.0'],

  devDeps: [
    // Handler libraries: bundled into the function assets by esbuild, so dev dependencies.
    `@aws-sdk/client-dynamodb@${AWS_SDK_VERSION}`,
    `@aws-sdk/lib-dynamodb@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-s3@${AWS_SDK_VERSION}`,
    // The S3 functions publish an event per outcome (outcomeEvents).
    `@aws-sdk/client-eventbridge@${AWS_SDK_VERSION}`,
    // The operations commands (redrive, reconcile, reprocess; bundled into assets/cli).
    `@aws-sdk/client-sqs@${AWS_SDK_VERSION}`,
    // reconcile/reprocess/redrive find a pipeline from its stack's resources.
    `@aws-sdk/client-cloudformation@${AWS_SDK_VERSION}`,
    '@aws-sdk/client-lambda@3.1164.0',
    `@aws-sdk/client-iam@${AWS_SDK_VERSION}`,
    `@aws-lambda-powertools/logger@${POWERTOOLS_VERSION}`,
    `@aws-lambda-powertools/metrics@${POWERTOOLS_VERSION}`,
    // Tracing (on by default): OpenTelemetry spans, parented to the invocation's X-Ray trace header and sent as
    // OTLP to the Lambda environment's trace endpoint (src/runtime/tracing.ts). No X-Ray SDK.
    '@opentelemetry/api@1.10.0',
    '@opentelemetry/core@3.1.1',
    '@opentelemetry/sdk-trace@3.1.1',
    '@opentelemetry/resources@3.1.1',
    '@opentelemetry/otlp-transformer@0.301.2',
    '@opentelemetry/propagator-aws-xray@3.0.0',
    // The X-Ray SDK's tracer, measured by `npx projen bench` only (the floor before OpenTelemetry); never bundled,
    // test/packaging/bundle-contents.test.ts fails if a bundle brings it back.
    `@aws-lambda-powertools/tracer@${POWERTOOLS_VERSION}`,
    // Test tooling: decodes the OTLP protobuf the functions send (test/runtime/tracing.bundled.test.ts).
    'protobufjs@8.8.1',
    // The functions' credential chain (scripts/bundle-shims/lambda-credentials.js): the SDK's own
    // environment and container-endpoint providers, the versions the SDK clients above resolve.
    '@aws-sdk/credential-provider-env@3.972.86',
    '@aws-sdk/credential-provider-http@3.972.88',
    '@smithy/core@3.41.1',
    // SigV4 for the local deployment's acceptance run (local-aws/acceptance.ts): the IAM-authorized API is
    // called as a client would call it. The version the SDK clients above resolve.
    '@smithy/signature-v4@5.7.5',
    // The local deployment checks that the log groups the template retains outlive `cdk destroy`.
    `@aws-sdk/client-cloudwatch-logs@${AWS_SDK_VERSION}`,
    '@types/aws-lambda@8.10.164',
    '@types/papaparse@5.5.2',
    // Streaming parsers of the data validator: CSV (papaparse; ≈4.5× csv-parse here, docs/toolchain.md) and
    // JSON arrays; udsv is measured against papaparse by `npx projen bench` (not bundled: other semantics).
    'papaparse@5.7.1',
    'udsv@0.7.3',
    '@streamparser/json@0.0.26',
    // Other CSV parsers, measured against the data validator's by `npx projen bench` only (never bundled).
    'csv-parse@7.0.3',
    '@fast-csv/parse@5.0.8',
    'csv-simple-parser@2.0.2',
    // The CDK CLI for the example app (`cd examples && npx cdk synth|deploy`, examples/cdk.json):
    // the version integ-runner brings, which reads cloud-assembly schema 53.
    'aws-cdk@2.1115.1',
    // Test tooling.
    `sharp@${SHARP_VERSION}`,
    'aws-sdk-client-mock@4.1.0',
    'cdk-nag@2.38.2',
    'esbuild@0.28.2',
    // Pinned to the cloud-assembly schema aws-cdk-lib 2.257.0 itself requires (^53.25.0): jsii-pacmak
    // writes the installed version into the Go module's go.mod, and the Go module proxy does not serve
    // github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.28.0 (it serves v53.25.0).
    '@aws-cdk/cloud-assembly-schema@53.25.0',
  ],

  // Integ snapshots are compared by template; their asset folders (bundles, the AWS CLI layer) are
  // rebuilt on every synth and would add tens of MB per snapshot update.
  gitignore: ['cdk.out', 'cdk.out.*', '/.venv/', '/.venv-checkov/', '*.tsbuildinfo', '/.tmp/', 'test/*.snapshot/asset.*', 'test/consumers/java/target/'],
  npmIgnoreOptions: { ignorePatterns: ['/.ci/', '/examples/', '/scripts/', '/.venv/', '/.venv-checkov/', '/.tmp/', 'cdk.out', 'cdk.out.*'] },
});

// The four functions' bundles (assets/<feature>/<name>.lambda/index.js). The construct builds every
// function from its bundle with one factory (src/construct/function-factory.ts), so projen generates no
// Function classes. The data validator's code is the bundle plus the precompiled schema
// (src/data/data-validator-code.ts).
// Each bundle's esbuild metafile (what it is made of) goes to .tmp/bundle-meta/, outside the asset:
// test/packaging/bundle-contents.test.ts reads them.
const functionBundling = (name: string, options: Partial<javascript.AddBundleOptions> = {}): javascript.AddBundleOptions => ({
  ...FUNCTION_BUNDLING,
  ...options,
  esbuildArgs: { ...FUNCTION_BUNDLING.esbuildArgs, [`--metafile=.tmp/bundle-meta/${name}.json`]: true },
});
project.bundler.addBundle('src/notifications/notification-handler.lambda.ts', functionBundling('notification-handler'));
// GET /notifications/export: a Lambda response-streaming handler, so a function of its own.
project.bundler.addBundle('src/notifications/notification-export.lambda.ts', functionBundling('notification-export'));
project.bundler.addBundle('src/data/data-validator.lambda.ts', functionBundling('data-validator'));

// The image processor: bundled with sharp external (a native module cannot be bundled), then
// `scripts/sharp-assets.sh` copies the bundle into one asset folder per architecture
// (assets/images/image-processor.lambda-arm64 and -x64) and installs sharp's linux-glibc
// binaries for that architecture beside it with npm's --os/--cpu/--libc flags.
// The construct picks the folder by the function's architecture.
const imageBundle = project.bundler.addBundle('src/images/image-processor.lambda.ts', functionBundling('image-processor', {
  externals: ['sharp'],
}));
const sharpAssets = project.addTask('bundle:image-processor:sharp', {
  description: 'Install sharp\'s native binaries into the image processor\'s per-architecture asset folders',
  steps: [
    { exec: `bash scripts/sharp-assets.sh ${imageBundle.outdir} ${SHARP_VERSION}` },
    // Each folder zipped (deterministically): the construct deploys the zip as it is, so a synth copies
    // one 9 MB file into cdk.out instead of 128 files (21 MB), and a deploy uploads it without zipping.
    { exec: `python3 scripts/zip-asset.py ${imageBundle.outdir}-arm64 ${imageBundle.outdir}-x64` },
  ],
});
project.tasks.tryFind('bundle')!.spawn(sharpAssets);
// Last step of `bundle`: the content hash of every function's code asset, computed once here and
// shipped in assets/asset-hashes.json, so that a consumer's synth passes it to the CDK as a custom
// asset hash instead of fingerprinting the assets (21 MB of sharp for the image processor) every time.
const assetHashes = project.addTask('bundle:asset-hashes', {
  description: 'Write assets/asset-hashes.json: the content hash of every function\'s code asset',
  steps: [{ exec: 'ts-node --project tsconfig.dev.json scripts/asset-hashes.ts' }],
});
project.tasks.tryFind('bundle')!.spawn(assetHashes);
// The sharp-less bundle is only the source of the two per-architecture folders, and the folders only the
// source of the zips the construct deploys (the tests run the x64 folder): neither is shipped.
project.npmignore?.addPatterns(`/${imageBundle.outdir}/`, `/${imageBundle.outdir}-arm64/`, `/${imageBundle.outdir}-x64/`);

// Handler tests and construct tests synthesize the bundled assets: bundle before testing,
// so that `npm ci && npx projen test` works on a fresh clone.
const bundleTask = project.tasks.tryFind('bundle');
if (bundleTask) {
  project.testTask.prependSpawn(bundleTask);
}

// `build` packages the npm module only, with or without CI; the Python, Java and Go packages
// are built by `package-all` (they need PyPI, Maven Central and the Go proxy).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
// The npm tarball must carry both architectures' sharp binaries (Python/Java/Go consumers
// cannot install them at synth time): fail the build when it does not.
const checkPackage = project.addTask('package:check-assets', {
  description: 'Check that the npm tarball holds the image processor\'s sharp binaries for arm64 and x64',
  steps: [{ exec: 'bash scripts/check-package-assets.sh dist/js' }],
});
project.packageTask.spawn(checkPackage);

// The synth-time / Lambda-time boundary (docs/architecture.md), enforced by lint:
// - Lambda-only code is a handler (`*.lambda.ts`), or lives in a `runtime/` folder (`src/runtime/` shared by
//   the handlers, `src/<feature>/runtime/` of one handler). It may import dev dependencies (esbuild bundles
//   them) but never aws-cdk-lib or constructs.
// - Construct-side code (everything else under src/ but the CLI) runs at synth in every language's
//   consumer app: it imports no Lambda-only module, no AWS SDK and no other handler library.
// - src/contract/ holds what both sides share: plain values, imported by either, importing nothing else.
const LAMBDA_SIDE = ['src/**/*.lambda.ts', 'src/runtime/**/*.ts', 'src/*/runtime/**/*.ts'];
const CONSTRUCT_SIDE = ['src/*.ts', 'src/construct/**/*.ts', 'src/{images,data,notifications}/!(*.lambda).ts'];
for (const glob of [...LAMBDA_SIDE, 'src/cli/**/*.ts']) {
  project.eslint?.allowDevDeps(glob);
}
const local = (globs: string[]) => globs.map((glob) => `./${glob}`);
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      {
        target: local(CONSTRUCT_SIDE),
        from: local(LAMBDA_SIDE),
        message: 'Construct-side code must not import Lambda-only code (a handler or a runtime/ folder): it runs at synth in every language.',
      },
      {
        target: local(LAMBDA_SIDE),
        from: local(CONSTRUCT_SIDE),
        message: 'Lambda-only code must not import construct-side code (it imports aws-cdk-lib); share values through src/contract/.',
      },
      {
        target: './src/contract/**/*.ts',
        from: ['./src/!(contract)/**', './src/*.ts'],
        message: 'src/contract/ is imported by both sides: it imports nothing outside itself.',
      },
    ],
  }],
});
const restrictImports = (files: string[], regex: string, message: string, excludedFiles?: string[]) => project.eslint?.addOverride({
  files,
  excludedFiles,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});
restrictImports(CONSTRUCT_SIDE, '^(@aws-sdk/|@smithy/|@aws-lambda-powertools/|@opentelemetry/|sharp$|papaparse$|@streamparser/json$|aws-lambda$)',
  'Handler libraries are dev dependencies bundled into the function assets: construct-side code cannot use them at synth.', LAMBDA_SIDE);
restrictImports(LAMBDA_SIDE, '^(aws-cdk-lib|constructs)(/|$)', 'Lambda-only code must not import aws-cdk-lib or constructs (synth-time libraries).');
restrictImports(['src/contract/**/*.ts'], '^[^.]', 'src/contract/ holds plain values shared by both sides: it imports no package.');
// Code both sides run (the data schema's formats: compiled in at synth, called in the handler): only
// what both may load (ajv-formats is a bundled dependency at synth and bundled into the handler).
restrictImports(['src/data/shared/**/*.ts'], '^(?!ajv-formats(/|$)|\\.)',
  'src/data/shared/ runs at synth and in the handler: the only package it imports is ajv-formats.');

// `npx cdk-tap-serverless redrive …`: the dead-letter queue redrive command, bundled with its
// AWS SDK clients into one file shipped in the package (no runtime dependencies).
project.bundler.addBundle('src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  externals: [],
  minify: true,
  mainFields: ['module', 'main'],
  executable: true,
  banner: '#!/usr/bin/env node',
  watchTask: false,
  esbuildArgs: { '--metafile=.tmp/bundle-meta/cli.json': true },
});
project.addBins({ 'cdk-tap-serverless': 'assets/cli/main/index.js' });
project.eslint?.allowDevDeps('src/cli/**/*.ts');

// integ-runner and integ-tests, pinned (projen would take `latest`): integ-runner 2.197.10 is the
// newest the registry serves and reads cloud-assembly schema 53 (aws-cdk-lib ≤ 2.257.0);
// integ-tests-alpha's newest release is 2.245.0-alpha.0 (peer aws-cdk-lib ^2.245.0).
project.deps.removeDependency('@aws-cdk/integ-runner');
project.deps.removeDependency('@aws-cdk/integ-tests-alpha');
project.addDevDeps('@aws-cdk/integ-runner@2.197.10', '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0');
// The snapshot check (`integ`) runs in .ci/run rather than in `test` (it synthesizes the whole integ
// app); `integ:update` rewrites snapshots without deploying (no AWS account needed); deploying the
// integ test is documented in the README.
project.tasks.tryFind('integ:update')?.reset('integ-runner --language typescript --update-on-failed --dry-run', { receiveArgs: true });
const integStep = project.testTask.steps.findIndex((step) => step.spawn === 'integ');
if (integStep >= 0) {
  project.testTask.removeStep(integStep); // .ci/run runs `integ` on its own
}

// jsii prints an end-of-life banner on Node 20, the build machines' Node.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The POST /notifications body validator, precompiled with ajv standalone into a committed module (a test
// fails when it is stale): the notification handler then bundles no ajv and compiles nothing at cold start.
project.addTask('gen:request-validator', {
  description: 'Regenerate src/notifications/runtime/create-notification-validator.generated.ts from CREATE_NOTIFICATION_SCHEMA',
  exec: 'ts-node --project tsconfig.dev.json scripts/gen-request-validator.ts',
});

// The example app (examples/app.ts), synthesized from the sources into examples/cdk.out.
project.addTask('synth:example', {
  description: 'Synthesize the example app into examples/cdk.out',
  env: { CDK_OUTDIR: 'examples/cdk.out' },
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json examples/app.ts' },
  ],
});

// The main job, run locally: synthesize the example app and drive the synthesized pipeline end to
// end against moto server on 127.0.0.1 (installed into the project-local .venv on first use).
project.addTask('demo', {
  description: 'Run the pipeline end to end locally: the synthesized example app against moto server',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json examples/demo/run.ts', receiveArgs: true },
  ],
});

// The example app deployed for real onto a local AWS (local-aws/, docs/local-deploy.md): LocalStack with
// the functions in containers of locally built runtime images, the CDK CLI's bootstrap and deploy, the
// acceptance against the deployed stack in each ingestion mode, destroy and what it retains. It installs and
// starts what it needs (Docker engine, images, LocalStack) and stops it all at the end.
project.addTask('deploy:local', {
  description: 'Deploy the example app with the CDK CLI onto a local AWS (LocalStack, functions in Docker) and run the acceptance in each ingestion mode',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json local-aws/deploy.ts', receiveArgs: true },
  ],
});
// The integ test (test/integ.tap-serverless.ts) deployed by integ-runner onto the same local AWS, with its
// assertions run in the local Lambda containers; the committed snapshot is left as it was.
project.addTask('integ:local', {
  description: 'Deploy the integ test with integ-runner onto a local AWS, run its assertions and destroy it',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json local-aws/integ.ts', receiveArgs: true },
  ],
});
project.eslint?.addLintPattern('local-aws');
project.eslint?.allowDevDeps('local-aws/**/*.ts');
project.npmignore?.addPatterns('/local-aws/');

// The local emulator harness (emulator/): moto server, functions run from their bundles in processes of their
// own, Lambda's asynchronous invocation (retries, dead-letter queue), a fault proxy and the fault run. The
// tests, the demo (examples/demo/run.ts) and the scripts all use it from here; it imports nothing from test/.
project.eslint?.addLintPattern('emulator');
project.eslint?.allowDevDeps('emulator/**/*.ts');
project.npmignore?.addPatterns('/emulator/');

// The example app in the queue and EventBridge ingestion modes, for the template checks.
for (const [mode, dir] of [['queue', 'queue'], ['eventBridge', 'eventbridge']]) {
  project.addTask(`synth:example:${dir}`, {
    description: `Synthesize the example app with the ${mode} ingestion mode into examples/cdk.out.${dir}`,
    env: { CDK_OUTDIR: `examples/cdk.out.${dir}`, CDK_CONTEXT_JSON: JSON.stringify({ ingestion: mode }) },
    steps: [{ exec: 'ts-node --project tsconfig.dev.json examples/app.ts' }],
  });
}

// The example app with Application Signals, its discovery resource and the API's SLOs (in a region the
// OpenTelemetry layer serves), for the template checks.
project.addTask('synth:example:observability', {
  description: 'Synthesize the example app with applicationSignals and apiObjectives into examples/cdk.out.observability',
  env: {
    CDK_OUTDIR: 'examples/cdk.out.observability',
    CDK_CONTEXT_JSON: JSON.stringify({ observability: 'full' }),
    CDK_DEFAULT_REGION: 'eu-west-1',
  },
  steps: [{ exec: 'ts-node --project tsconfig.dev.json examples/app.ts' }],
});

// cfn-lint and checkov over every synthesized template (example app in each ingestion mode, integ snapshot): no
// error, and no checkov failure without a skip and its reason in the resource's metadata.
project.addTask('lint:cfn', {
  description: 'Run cfn-lint (.venv) and checkov (.venv-checkov), both pinned, over the example app (each ingestion mode) and the integ snapshot',
  steps: [
    { spawn: 'synth:example' },
    { spawn: 'synth:example:queue' },
    { spawn: 'synth:example:eventbridge' },
    { spawn: 'synth:example:observability' },
    { exec: 'bash scripts/cfn-lint.sh' },
    { exec: 'bash scripts/checkov.sh' },
  ],
});

// Releases without publishing, and the workflows' lint (both in .ci/run).
project.addTask('release:dry-run', {
  description: 'Bump the version from the commits, write the changelog, build and check the npm, PyPI, Maven and Go artifacts, then unbump',
  exec: 'bash scripts/release-dry-run.sh',
});
project.addTask('compat:released', {
  description: 'jsii-diff against the newest release on npm (says so and passes when there is none yet)',
  exec: 'bash scripts/compat.sh',
});
project.addTask('lint:workflows', {
  description: 'Run actionlint (pinned, built into .tmp/bin) over .github/workflows',
  exec: 'bash scripts/actionlint.sh',
});

// Benchmarks (not part of the test suite): measure the handlers' cores, bundles and synth against baselines measured in
// the same run and write BENCHMARKS.md and BENCHMARKS.svg (the protocol is in BENCHMARKS.md). Inputs go to .tmp/bench.
project.addTask('bench', {
  description: 'Benchmark the handlers against their baselines (ratios, medians) and write BENCHMARKS.md and BENCHMARKS.svg',
  steps: [
    { spawn: 'bundle' },
    { spawn: 'compile' },
    { exec: 'ts-node --project tsconfig.dev.json bench/main.ts' },
  ],
});
project.npmignore?.addPatterns('/bench/', '/BENCHMARKS.svg');

// The fault run (emulator/fault-run.main.ts): the bundled S3 functions against moto behind a
// seeded fault proxy (8 % of their S3 and DynamoDB requests fail, plus a 2 s storm at 100 %), Lambda's
// asynchronous retries and dead-letter queue played locally, then redrive, reconcile, reprocess and
// reconcile again; exits 1 unless every object ends with exactly one current outcome.
// 'fault-run' (1,000 objects) is part of CI; 'fault-run:full' is the 5,000-object run.
project.addTask('fault-run', {
  description: 'Fault-injected run of 1,000 objects: redrive, reprocess and reconcile must end complete with one outcome each',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json emulator/fault-run.main.ts --objects 1000 --fault-rate 0.08 --seed 7', receiveArgs: true },
  ],
});
project.addTask('fault-run:full', {
  description: 'Fault-injected run of 5,000 objects (about 3½ minutes on 2 cores): redrive, reprocess and reconcile must end complete',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json emulator/fault-run.main.ts --objects 5000 --fault-rate 0.08 --seed 11', receiveArgs: true },
  ],
});

// The consumer apps (test/consumers/<language>): rebuild the Python, Java and Go packages, install each
// into an app in that language, synthesize the same stack as the TypeScript app and compare the
// templates. Work files and dependency caches stay in .tmp/consumers (git-ignored).
project.addTask('test:consumers', {
  description: 'Build the Python, Java and Go packages and prove each with a consumer app that synthesizes the TypeScript template',
  exec: 'bash test/consumers/run.sh',
  receiveArgs: true,
});

// Editors (and the linter's TypeScript service) resolve the nearest tsconfig.json: the tests' and the
// local deployment's extend the development tsconfig.
for (const dir of ['test', 'local-aws', 'emulator']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.dev.json']),
    include: ['**/*.ts'],
    compilerOptions: {},
  });
}

project.synth();
