// The TypeScript consumer app: its template is the reference that the Python, Java and Go apps must
// synthesize too (test/consumers/run.sh). Keep the props identical across the four apps.
// The part between the readme markers is the README's TypeScript example, with the import from
// 'cdk-tap-serverless' instead of the sources (checked by check_readme.py).
// readme:start
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiAuthorization, DataSchema, TapServerless, ThumbnailFormat } from '../../../src';

const app = new App();
const stack = new Stack(app, 'TapConsumer');

const tap = new TapServerless(stack, 'Tap', {
  environmentSuffix: 'consumer',
  // Ingest from an existing bucket and send failed events to an existing queue.
  bucket: s3.Bucket.fromBucketName(stack, 'Ingest', 'tap-consumer-ingest'),
  deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'DeadLetters',
    'arn:aws:sqs:eu-west-1:123456789012:tap-consumer-dlq'),
  apiCorsAllowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
  apiAuthorization: ApiAuthorization.apiKey(),
  apiThrottlingRateLimit: 20,
  apiThrottlingBurstLimit: 40,
  // Validate data uploads against a JSON Schema; thumbnails in three widths, as AVIF.
  dataSchema: DataSchema.fromFile('schemas/order.schema.json'),
  imageThumbnailWidths: [160, 320, 640],
  imageThumbnailFormat: ThumbnailFormat.AVIF,
  imageProcessor: { memorySize: 2048, timeout: Duration.minutes(2) },
  dataValidator: { environment: { INGEST_TEAM: 'data-platform' } },
  retryAttempts: 1,
  maxEventAge: Duration.hours(1),
  logRetention: logs.RetentionDays.TWO_WEEKS,
  tags: { CostCenter: 'cc-1234' },
});

new CfnOutput(stack, 'ApiUrl', { value: tap.apiUrl });
new CfnOutput(stack, 'BucketName', { value: tap.bucket.bucketName });

app.synth();
// readme:end
