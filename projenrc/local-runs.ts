import { awscdk, javascript } from 'projen';

/** What runs on this machine: the example app, the demo, the local deployment, the emulator harness, the benchmarks and the fault run, and the folders' tsconfigs. */
export function addLocalRuns(project: awscdk.AwsCdkConstructLibrary): void {
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
}
