import { awscdk } from 'projen';

/** The checks beyond the unit tests: integ snapshot, template lint, releases without publishing, compatibility, workflows, consumer apps. */
export function addChecks(project: awscdk.AwsCdkConstructLibrary): void {
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
  // The API's changes since a commit, before there is a release to compare with: `npx projen api:diff <commit>`.
  project.addTask('api:diff', {
    description: 'jsii-diff of the public API against a commit (after `npx projen compile`): the changes the release notes must list',
    exec: 'bash scripts/api-diff.sh',
    receiveArgs: true,
  });
  project.addTask('lint:workflows', {
    description: 'Run actionlint (pinned, built into .tmp/bin) over .github/workflows',
    exec: 'bash scripts/actionlint.sh',
  });

  // The consumer apps (test/consumers/<language>): rebuild the Python, Java and Go packages, install each
  // into an app in that language, synthesize the same stack as the TypeScript app and compare the
  // templates. Work files and dependency caches stay in .tmp/consumers (git-ignored).
  project.addTask('test:consumers', {
    description: 'Build the Python, Java and Go packages and prove each with a consumer app that synthesizes the TypeScript template',
    exec: 'bash test/consumers/run.sh',
    receiveArgs: true,
  });
}
