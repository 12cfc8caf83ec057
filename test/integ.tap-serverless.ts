/**
 * Integration test: deploys TapServerless and checks, after deployment, that the pipeline works:
 * uploads end in their outcomes, read through the API with SigV4; a bad upload ends in one
 * rejection; nothing reaches the dead-letter queue.
 *
 * - `npx projen integ`: the committed snapshot (test/integ.tap-serverless.ts.snapshot/) still matches
 *   what this file synthesizes (no deployment).
 * - `npx projen integ:local`: integ-runner deploys it onto the local AWS, runs every assertion and
 *   destroys it. What the local AWS cannot assert, and how it is covered: test/integ.local-gaps.md.
 * - Against your account: `npx integ-runner --language typescript --force` (see README, "Integration test").
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DataSchema, OutcomeEvents, TapServerless } from '../src';

const app = new App();
const stack = new Stack(app, 'TapServerlessIntegStack');

// The image function runs on arm64 (the default). On a local AWS the functions' containers run on the
// machine's own CPU, whose sharp binaries it needs: `npx projen integ:local` sets TAP_INTEG_IMAGE_ARCHITECTURE.
const imageArchitecture = process.env.TAP_INTEG_IMAGE_ARCHITECTURE === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64;

const tap = new TapServerless(stack, 'Tap', {
  environmentSuffix: 'integ',
  imageProcessor: { architecture: imageArchitecture },
  removalPolicy: RemovalPolicy.DESTROY,
  dataSchema: DataSchema.fromFile(path.join(__dirname, '..', 'examples', 'schema', 'order.schema.json')),
  // The CloudWatch role is account-wide: an integration test must not replace the account's.
  apiCloudWatchRole: false,
  outcomeEvents: OutcomeEvents.dedicatedBus(),
});

// Every outcome event on the pipeline's own bus goes to a queue, read back by an assertion.
const outcomeQueue = new sqs.Queue(stack, 'OutcomeEvents', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  retentionPeriod: Duration.hours(1),
  removalPolicy: RemovalPolicy.DESTROY,
});
// SQS-managed encryption: EventBridge cannot write to a queue under the AWS-managed KMS key, whose policy cannot be changed.
(outcomeQueue.node.defaultChild as CfnResource).addMetadata('checkov', {
  skip: [{ id: 'CKV_AWS_27', comment: 'test scaffolding: encrypted with SQS-managed keys (SSE-SQS), which EventBridge can write to; checkov counts KMS only' }],
});
new events.Rule(stack, 'EveryOutcome', {
  eventBus: tap.outcomeEventBus,
  eventPattern: { source: ['cdk-tap-serverless'] },
  targets: [new targets.SqsQueue(outcomeQueue)],
});
// A function allowed by its own role to put events on that bus, which the bus's policy refuses. The
// local AWS evaluates no event bus policy: there the put is accepted, and the assertion says so.
const busPolicyEvaluated = process.env.TAP_INTEG_LOCAL_AWS !== '1';
const spoofer = new nodejs.NodejsFunction(stack, 'Spoofer', {
  entry: path.join(__dirname, 'integ-fixtures', 'spoofer', 'index.ts'),
  runtime: lambda.Runtime.NODEJS_24_X,
  timeout: Duration.seconds(30),
  // Its EventBridge client bundled, not taken from the runtime (the local AWS's image has no such client).
  bundling: { minify: true, sourceMap: false, externalModules: [] },
});
spoofer.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [tap.outcomeEventBus!.eventBusArn] }));

// A small PNG, uploaded under images/ at deployment time (binary content cannot travel in an SDK call's JSON).
// It goes in after the whole pipeline is in place: the bucket's event notifications are a resource of
// their own, and an upload before them would never be processed.
const sampleImage = new s3deploy.BucketDeployment(stack, 'SampleImage', {
  sources: [s3deploy.Source.asset(path.join(__dirname, 'integ-fixtures', 'images'))],
  destinationBucket: tap.bucket,
  destinationKeyPrefix: 'images/',
  prune: false,
  retainOnDelete: false,
});
sampleImage.node.addDependency(tap);
// The API client: signs each request with its role's credentials, as an IAM-authorized caller does.
const apiCaller = new nodejs.NodejsFunction(stack, 'ApiCaller', {
  entry: path.join(__dirname, 'integ-fixtures', 'api-caller', 'index.ts'),
  runtime: lambda.Runtime.NODEJS_24_X,
  timeout: Duration.seconds(30),
  bundling: { minify: true, sourceMap: false },
});
apiCaller.addToRolePolicy(new iam.PolicyStatement({
  actions: ['execute-api:Invoke'],
  resources: [tap.api.arnForExecuteApi('GET', '/notifications'), tap.api.arnForExecuteApi('POST', '/notifications')],
}));

// Test scaffolding (aws-cdk-lib's BucketDeployment function, the API client) fails checkov's function
// and log group checks by design; say so on its resources, so that the gate stays at zero.
const scaffolding = 'test scaffolding: aws-cdk-lib\'s BucketDeployment provider (uploads a sample image at deployment), the API client or the would-be forger';
for (const resource of stack.node.findAll().filter((c) => ['CDKBucketDeployment', 'ApiCaller', 'Spoofer'].some((name) => c.node.path.includes(name)))) {
  if (resource instanceof CfnResource && ['AWS::Lambda::Function', 'AWS::Logs::LogGroup'].includes(resource.cfnResourceType)) {
    resource.addMetadata('checkov', {
      skip: ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173', 'CKV_AWS_158'].map((id) => ({ id, comment: scaffolding })),
    });
  }
}

const integ = new IntegTest(app, 'TapServerlessIntegTest', {
  testCases: [stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
  regions: ['eu-west-1'],
  // The update workflow deploys the previous snapshot first: the notifications table with the
  // sharded indexes replaces the one with a constant index key (a new logical id, by design).
  allowDestroy: ['AWS::DynamoDB::Table'],
});
const wait = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) };
const bucket = tap.bucket.bucketName;

/** One SigV4-signed request to the API, by the API client; its answer is `{ status, body }`. */
function api(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown) {
  return integ.assertions.invokeFunction({
    functionName: apiCaller.functionName,
    payload: JSON.stringify({ method, url: `${tap.apiUrl}${pathAndQuery}`, body }),
  });
}
/** The answer of GET /notifications?type=<type>: exactly one notification, for `key`. */
function exactlyOne(type: string, key: string) {
  return ExpectedResult.objectLike({
    Payload: Match.serializedJson({
      status: 200,
      body: Match.objectLike({ items: [Match.objectLike({ type, source: Match.stringLikeRegexp(`/${key.replace(/\./g, '\\.')}$`) })] }),
    }),
  });
}

// 1. The image (uploaded at deployment) turns into one readable thumbnail per default width.
// (getObject rather than headObject: integ-tests derives the IAM action from the API name, and
// s3:HeadObject is not an IAM action — HeadObject is authorized by s3:GetObject.)
const thumb128 = integ.assertions.awsApiCall('S3', 'getObject', { Bucket: bucket, Key: 'thumbnails/integ-sample.png/128.webp' })
  .waitForAssertions(wait);
const thumb512 = integ.assertions.awsApiCall('S3', 'getObject', { Bucket: bucket, Key: 'thumbnails/integ-sample.png/512.webp' })
  .waitForAssertions(wait);

// 2. A valid and an invalid data file (orders, examples/schema/order.schema.json) each get a report;
//    a file under images/ that is not an image is a bad upload.
const putValid = integ.assertions.awsApiCall('S3', 'putObject', {
  Bucket: bucket,
  Key: 'data/integ-valid.ndjson',
  Body: '{"id": 1, "customer": "Ada", "email": "ada@example.com", "quantity": 2, "price": 19.9, "paid": true}\n',
});
const putInvalid = integ.assertions.awsApiCall('S3', 'putObject', {
  Bucket: bucket,
  Key: 'data/integ-invalid.ndjson',
  Body: '{"id": 1, "customer": "Ada", "email": "not-an-email", "quantity": 0, "price": 19.9, "paid": true}\n',
});
const putBad = integ.assertions.awsApiCall('S3', 'putObject', {
  Bucket: bucket,
  Key: 'images/integ-not-an-image.png',
  Body: 'this is text, not a PNG',
});
const validReport = integ.assertions.awsApiCall('S3', 'getObject', { Bucket: bucket, Key: 'reports/data/integ-valid.ndjson.report.json' })
  .waitForAssertions(wait);
const invalidReport = integ.assertions.awsApiCall('S3', 'getObject', { Bucket: bucket, Key: 'reports/data/integ-invalid.ndjson.report.json' })
  .waitForAssertions(wait);

// 3. Each upload ends in exactly one outcome, read through the API (SigV4): GET /notifications?type=…
const processed = api('GET', 'notifications?type=image.processed').expect(exactlyOne('image.processed', 'images/integ-sample.png')).waitForAssertions(wait);
const valid = api('GET', 'notifications?type=data.valid').expect(exactlyOne('data.valid', 'data/integ-valid.ndjson')).waitForAssertions(wait);
const invalid = api('GET', 'notifications?type=data.invalid').expect(exactlyOne('data.invalid', 'data/integ-invalid.ndjson')).waitForAssertions(wait);
const rejected = api('GET', 'notifications?type=image.rejected').expect(exactlyOne('image.rejected', 'images/integ-not-an-image.png')).waitForAssertions(wait);
// …and the unfiltered listing (newest first) holds both the valid file's and the image's.
const listedBoth = api('GET', 'notifications?limit=100').expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson({
    status: 200,
    body: Match.objectLike({
      items: Match.arrayWith([
        Match.objectLike({ type: 'data.valid', source: Match.stringLikeRegexp('/data/integ-valid\\.ndjson$') }),
        Match.objectLike({ type: 'image.processed', source: Match.stringLikeRegexp('/images/integ-sample\\.png$') }),
      ]),
    }),
  }),
}));

// 4. A notification created through the API is listed by its type.
const created = api('POST', 'notifications', { type: 'integ.check', message: 'created by the integration test' })
  .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ status: 201, body: Match.objectLike({ type: 'integ.check' }) }) }));
const listed = api('GET', 'notifications?type=integ.check&limit=10').expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson({ status: 200, body: Match.objectLike({ items: [Match.objectLike({ type: 'integ.check', message: 'created by the integration test' })] }) }),
}));

// 5. GET /status answers 200 healthy (public MOCK integration, no signature).
const status = integ.assertions.httpApiCall(`${tap.apiUrl}status`)
  .expect(ExpectedResult.objectLike({ status: 200, body: { status: 'healthy', environment: 'integ' } }));

// 6. Nothing ended in the dead-letter queue.
const dlqEmpty = integ.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: tap.deadLetterQueue.queueUrl,
  AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
});
dlqEmpty.expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }));

// 7. The outcomes were published on the pipeline's own bus (the rule's queue holds the image's)…
const published = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: outcomeQueue.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({
    Body: Match.serializedJson(Match.objectLike({ 'source': 'cdk-tap-serverless', 'detail-type': 'image.processed' })),
  })]),
})).waitForAssertions(wait);
// …and no one else can put an event there, even with a role that allows it (on AWS; the local AWS
// accepts the put, and this assertion turns red the day it evaluates the bus's policy).
const forged = integ.assertions.invokeFunction({
  functionName: spoofer.functionName,
  payload: JSON.stringify({ eventBusArn: tap.outcomeEventBus!.eventBusArn }),
}).expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson(busPolicyEvaluated ? { denied: true, outcome: 'AccessDeniedException' } : { denied: false, outcome: 'FailedEntryCount 0' }),
}));

// Order: uploads and their outputs first, the outcomes through the API next, the DLQ last.
thumb128.next(thumb512).next(putValid).next(putInvalid).next(putBad).next(validReport).next(invalidReport)
  .next(processed).next(valid).next(invalid).next(rejected).next(listedBoth)
  .next(created).next(listed).next(status).next(dlqEmpty).next(published).next(forged);

app.synth();
