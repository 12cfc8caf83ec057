// The example app: a TapServerless pipeline whose data uploads must be orders (examples/schema).
// Synthesize it with `npx projen synth:example` (writes examples/cdk.out); `npx projen demo` runs it locally.
import * as path from 'path';
import { App, CfnOutput, Duration, Size, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataSchema, Ingestion, Route, TapServerless } from '../src';

const app = new App();
const stack = new Stack(app, 'TapServerlessExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// The image processor runs on arm64 (the default). The local demo synthesizes with
// `-c imageArchitecture=x86_64` on x86-64 machines: sharp's native binaries run only on their own CPU.
const imageArchitecture = app.node.tryGetContext('imageArchitecture') === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64;

// `-c imageTimeoutSeconds=N -c maxReceiveCount=N`: used by the local deployment (npx projen deploy:local) in
// the queue mode, so that a message that keeps failing is retried and dead-lettered within a test run (an SQS
// queue's visibility timeout is 6 × its function's timeout). Unset: the construct's defaults.
const numberContext = (name: string): number | undefined => {
  const value = app.node.tryGetContext(name);
  return value === undefined ? undefined : Number(value);
};
const imageTimeoutSeconds = numberContext('imageTimeoutSeconds');
const maxReceiveCount = numberContext('maxReceiveCount');

// How uploads reach the functions: `-c ingestion=queue` or `-c ingestion=eventBridge` (default: direct).
const INGESTION: Record<string, () => Ingestion> = {
  direct: () => Ingestion.direct(),
  queue: () => Ingestion.queue({ batchSize: 10, maxConcurrency: 20, ...(maxReceiveCount !== undefined ? { maxReceiveCount } : {}) }),
  eventBridge: () => Ingestion.eventBridge(),
};
const ingestionMode = String(app.node.tryGetContext('ingestion') ?? 'direct');
if (!INGESTION[ingestionMode]) throw new Error(`unknown ingestion mode ${ingestionMode}: use one of ${Object.keys(INGESTION).join(', ')}`);

// `-c observability=full`: Application Signals (with the account's discovery resource) and the API's
// SLOs. The OpenTelemetry layer is per region: synthesize with a region (CDK_DEFAULT_REGION).
const fullObservability = app.node.tryGetContext('observability') === 'full';

// `-c csvSummaryRoute=true`: a route of a function of your own, in Python (examples/csv-summary), for
// the CSV files under csv/: each is summarized (rows, columns, numeric ranges) and recorded as
// csv-summary.summarized. The local demo turns it on; the local deployment runs Node.js functions only.
const csvSummaryRoute = app.node.tryGetContext('csvSummaryRoute') === 'true';
const routes = csvSummaryRoute ? [Route.fromFunction('csv-summary', new lambda.Function(stack, 'CsvSummary', {
  description: 'Summarizes a CSV file: rows, columns, numeric ranges (a TapServerless route)',
  runtime: lambda.Runtime.PYTHON_3_13,
  architecture: lambda.Architecture.ARM_64,
  handler: 'handler.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'csv-summary')),
  memorySize: 256,
  timeout: Duration.minutes(1),
}), { prefix: 'csv/', suffixes: ['.csv'], maxObjectSize: Size.mebibytes(100) })] : undefined;

const tap = new TapServerless(stack, 'Tap', {
  routes,
  environmentSuffix: 'dev',
  ingestion: INGESTION[ingestionMode](),
  ...(fullObservability ? { applicationSignals: true, applicationSignalsDiscovery: true, apiObjectives: {} } : {}),
  imageProcessor: {
    architecture: imageArchitecture,
    ...(imageTimeoutSeconds !== undefined ? { timeout: Duration.seconds(imageTimeoutSeconds) } : {}),
  },
  dataSchema: DataSchema.fromFile(path.join(__dirname, 'schema', 'order.schema.json')),
});

// What a deployment hands to its users (`cdk deploy` prints them; `aws cloudformation describe-stacks` lists them).
new CfnOutput(stack, 'BucketName', { value: tap.bucket.bucketName, description: 'Upload images under images/ and data files under data/' });
new CfnOutput(stack, 'ApiUrl', { value: tap.apiUrl, description: 'The notifications API (IAM-authorized: sign requests with SigV4)' });
new CfnOutput(stack, 'ImageProcessorArn', { value: tap.imageProcessor.functionArn });
new CfnOutput(stack, 'DataValidatorArn', { value: tap.dataValidator.functionArn });
new CfnOutput(stack, 'NotificationHandlerArn', { value: tap.notificationHandler.functionArn });
new CfnOutput(stack, 'DeadLetterQueueUrl', { value: tap.deadLetterQueue.queueUrl, description: 'Redrive with npx cdk-tap-serverless redrive --stack <this stack>' });

app.synth();
