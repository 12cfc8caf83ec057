import { awscdk } from 'projen';

/** The synth-time / Lambda-time boundary and the handler libraries' place, as lint rules. */
export function addCodeBoundaries(project: awscdk.AwsCdkConstructLibrary): void {
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
}
