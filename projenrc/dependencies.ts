import { AWS_SDK_VERSION, POWERTOOLS_VERSION, SHARP_VERSION } from './versions';

// The construct itself compiles the data schema at synth (to check it and to precompile a
// standalone validator). Not jsii modules, so they are bundled into the package, or Python,
// Java and Go consumers would fail at synth. esbuild also bundles them for handlers. re2js (RE2 in
// JavaScript, no native code) runs the schemas' patterns in linear time, and checks them at synth.
export const BUNDLED_DEPS = ['ajv@8.20.0', 'ajv-formats@3.0.1', 're2js@2.10.0'];

/** Dev dependencies: the handlers' libraries (bundled into the function assets), tooling and test tooling. */
export const DEV_DEPS = [
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
  // Test tooling: jest's Node environment, extended with a temporary directory per test file
  // (test/support/jest-environment.ts); the version of the jest projen installs.
  'jest-environment-node@30.5.2',
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
];
