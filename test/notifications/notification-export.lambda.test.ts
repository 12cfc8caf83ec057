import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { NDJSON } from '../../src/notifications/runtime/export-stream';
import { Notification, toNotificationItem } from '../../src/runtime/notification-item';
import { captureConsole } from '../support/console-capture';
import { fakeIndexes } from '../support/fake-index';
import { apiRequest, FUNCTION_ENV, lambdaContext } from '../support/fixtures';
import { createStreamingShim, RecordedResponse } from '../support/streaming-shim';

// The entry point as the Lambda runtime loads it: with the `awslambda` global present, the module's
// handler is the streamified export (the shim records the prelude and the body).
const ddb = mockClient(DynamoDBDocumentClient);
let handler: (event: APIGatewayProxyEvent, context: unknown) => Promise<RecordedResponse>;

const notifications: Notification[] = Array.from({ length: 5 }, (_, i) => ({
  id: `n-${i}`, type: 'ops.note', createdAt: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), message: `m${i}`,
}));

beforeAll(() => {
  Object.assign(process.env, FUNCTION_ENV, { TAP_TABLE_NAME: 't', TAP_INDEX_SHARDS: '3' });
  (globalThis as any).awslambda = { ...(globalThis as any).awslambda, ...createStreamingShim() };
  ({ handler } = jest.requireActual('../../src/notifications/notification-export.lambda'));
});

afterAll(() => {
  delete (globalThis as any).awslambda;
});

test('the handler streams NDJSON through awslambda.HttpResponseStream, then publishes its count', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, { indexShards: 3 })));
  const output = captureConsole();
  const res = await handler(apiRequest('GET', '/notifications/export', { query: { type: 'ops.note' } }), lambdaContext());
  expect(res.prelude).toMatchObject({ statusCode: 200, headers: { 'Content-Type': NDJSON } });
  const lines = res.body.trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines.slice(0, -1).map((n) => n.id)).toEqual(['n-4', 'n-3', 'n-2', 'n-1', 'n-0']);
  expect(lines[lines.length - 1]).toMatchObject({ trailer: true, complete: true, count: 5, type: 'ops.note' });
  // AND the count went out as an EMF metric once the response ended
  try {
    expect(output.metric('NotificationsExported')).toBe(5);
    expect(output.metric('ExportsIncomplete')).toBe(0);
    expect(output.emf()).toHaveLength(1);
  } finally {
    output.restore();
  }
});
