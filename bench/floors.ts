// The floors of the cold-start section of `npx projen bench`: for each bundle, an entry that loads the same
// third-party libraries the bundle loads at module scope, and creates what it creates there (its AWS SDK
// clients, the Powertools Logger and Metrics), without any of our code. They are bundled exactly as the
// bundles are (projenrc/bundles.ts), so a bundle's load time over its floor's is the cost of our code alone.
//
// Tracing: the functions import the OpenTelemetry libraries at module scope and set up the tracer provider
// on their first invocation (src/runtime/tracing.ts), so the floors import the same classes and create none.
// The "before" floor is the API handler's floor as it was with the X-Ray SDK: Powertools Tracer created at
// module scope and the DynamoDB client captured, as the handlers did then.

const DYNAMODB = "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
  "import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';\n";
const POWERTOOLS = "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics';\n" +
  "export const logger = new Logger(); export const metrics = new Metrics({ namespace: 'Bench' });\n";
const OPENTELEMETRY = "import { AsyncLocalStorage } from 'node:async_hooks'; import * as dgram from 'node:dgram';\n" +
  "import { trace, SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter } from '@opentelemetry/api';\n" +
  "import { ExportResultCode } from '@opentelemetry/core';\n" +
  "import { resourceFromAttributes } from '@opentelemetry/resources';\n" +
  "import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';\n" +
  "import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';\n" +
  "import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';\n" +
  'export const tracing = [AsyncLocalStorage, dgram.createSocket, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter, ExportResultCode, ' +
  'resourceFromAttributes, AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider, ProtobufTraceSerializer, AWSXRayPropagator];\n';
const S3_FUNCTION_CLIENTS = "import { S3Client, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';\n" +
  "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';\n" +
  'export const s3 = new S3Client({}); export const events = new EventBridgeClient({});\n' +
  'export const commands = [GetObjectCommand, HeadObjectCommand, PutObjectCommand, PutEventsCommand];\n';
const DOCUMENT_CLIENT = 'export const table = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });\n' +
  'export const tableCommands = [GetCommand, PutCommand, QueryCommand, UpdateCommand, BatchGetCommand];\n';
const HANDLER = 'export const handler = async () => ({});\n';

/** One floor: the entry's source, and how it is bundled. */
export interface FloorEntry {
  readonly key: string;
  readonly name: string;
  readonly contents: string;
  /** Bundled as the operations command is (Node.js 20, the SDK's default credential chain), else as a function. */
  readonly cli?: boolean;
  /** Packages left external (sharp: loaded from the asset's node_modules, as the image processor loads it). */
  readonly external?: string[];
}

export const FLOORS: Record<'api' | 'export' | 'data' | 'image' | 'cli' | 'apiXray' | 'apiUntraced', FloorEntry> = {
  api: {
    key: 'floor-api', name: 'Floor of the API handler: DynamoDB DocumentClient, Powertools Logger and Metrics, OpenTelemetry',
    contents: DYNAMODB + POWERTOOLS + OPENTELEMETRY + DOCUMENT_CLIENT + HANDLER,
  },
  export: {
    key: 'floor-export', name: 'Floor of the export handler: DynamoDB DocumentClient, Powertools Logger and Metrics, OpenTelemetry',
    contents: DYNAMODB + POWERTOOLS + OPENTELEMETRY + DOCUMENT_CLIENT + HANDLER,
  },
  data: {
    key: 'floor-data', name: 'Floor of the data validator: S3, DynamoDB and EventBridge clients, Powertools, OpenTelemetry, papaparse, @streamparser/json, ajv-formats',
    contents: DYNAMODB + POWERTOOLS + OPENTELEMETRY + S3_FUNCTION_CLIENTS + DOCUMENT_CLIENT +
      "import * as Papa from 'papaparse'; import { JSONParser } from '@streamparser/json'; import { fullFormats } from 'ajv-formats/dist/formats';\n" +
      'export const parsers = [Papa.parse, JSONParser, fullFormats];\n' + HANDLER,
  },
  image: {
    key: 'floor-image', name: 'Floor of the image processor: S3, DynamoDB and EventBridge clients, Powertools, OpenTelemetry, sharp',
    contents: DYNAMODB + POWERTOOLS + OPENTELEMETRY + S3_FUNCTION_CLIENTS + DOCUMENT_CLIENT +
      "import sharp from 'sharp';\nexport const image = sharp;\n" + HANDLER,
    external: ['sharp'],
  },
  cli: {
    key: 'floor-cli', name: 'Floor of the operations command: CloudFormation, DynamoDB, Lambda, S3 and SQS clients, papaparse',
    contents: "import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';\n" +
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';\n" +
      "import { LambdaClient, GetFunctionConfigurationCommand, InvokeCommand } from '@aws-sdk/client-lambda';\n" +
      "import { S3Client, ListObjectVersionsCommand, HeadObjectCommand } from '@aws-sdk/client-s3';\n" +
      "import { SQSClient, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';\n" +
      "import * as Papa from 'papaparse';\n" +
      'export const cli = [CloudFormationClient, ListStackResourcesCommand, DynamoDBClient, DynamoDBDocumentClient, BatchGetCommand, QueryCommand, ' +
      'LambdaClient, GetFunctionConfigurationCommand, InvokeCommand, S3Client, ListObjectVersionsCommand, HeadObjectCommand, ' +
      'SQSClient, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, DeleteMessageCommand, Papa.unparse];\n',
    cli: true,
  },
  apiXray: {
    key: 'floor-api-xray', name: 'API handler\'s floor with the X-Ray SDK (Powertools Tracer, as before 2026-12-07)',
    contents: DYNAMODB + POWERTOOLS +
      "import { Tracer } from '@aws-lambda-powertools/tracer';\nexport const tracer = new Tracer({ captureHTTPsRequests: false });\n" +
      'export const table = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));\n' +
      'export const tableCommands = [GetCommand, PutCommand, QueryCommand, UpdateCommand, BatchGetCommand];\n' + HANDLER,
  },
  apiUntraced: {
    key: 'floor-api-untraced', name: 'API handler\'s floor without tracing (DynamoDB DocumentClient, Powertools Logger and Metrics)',
    contents: DYNAMODB + POWERTOOLS + DOCUMENT_CLIENT + HANDLER,
  },
};
