import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createNotificationsTable } from '../../src/runtime/notifications-table';
import { objectNotificationId, recordOutcome } from '../../src/runtime/outcome-store';

const ddb = mockClient(DynamoDBDocumentClient);
const table = createNotificationsTable('notifications');

beforeEach(() => {
  ddb.reset();
});

describe('objectNotificationId', () => {
  const object = { bucket: 'b', key: 'images/a.jpg', versionId: 'v1', eTag: 'e1', sequencer: 's1' };

  test('is deterministic: obj- and 64 hex digits, the same for every delivery', () => {
    const id = objectNotificationId(object);
    expect(id).toMatch(/^obj-[0-9a-f]{64}$/);
    expect(objectNotificationId({ ...object })).toBe(id);
  });

  test('uses the versionId when there is one, ignoring sequencer and eTag', () => {
    expect(objectNotificationId({ ...object, sequencer: 's2', eTag: 'e2' })).toBe(objectNotificationId(object));
    expect(objectNotificationId({ ...object, versionId: 'v2' })).not.toBe(objectNotificationId(object));
  });

  test('without a versionId, tells writes of the same key apart by sequencer, else eTag', () => {
    const unversioned = { bucket: 'b', key: 'images/a.jpg', eTag: 'e1' };
    expect(objectNotificationId({ ...unversioned, sequencer: 's1' })).not.toBe(objectNotificationId({ ...unversioned, sequencer: 's2' }));
    expect(objectNotificationId(unversioned)).not.toBe(objectNotificationId({ ...unversioned, eTag: 'e2' }));
  });

  test('depends on bucket and key, with no ambiguity between them', () => {
    expect(objectNotificationId({ ...object, bucket: 'c' })).not.toBe(objectNotificationId(object));
    expect(objectNotificationId({ ...object, key: 'images/b.jpg' })).not.toBe(objectNotificationId(object));
    expect(objectNotificationId({ bucket: 'a', key: 'b/c', versionId: 'v' }))
      .not.toBe(objectNotificationId({ bucket: 'a/b', key: 'c', versionId: 'v' }));
  });
});

describe('recordOutcome', () => {
  const object = {
    bucket: 'tap-bucket', key: 'images/My Photo été+1.jpg', size: 48213, versionId: 'v1', eTag: 'etag1', sequencer: 'seq1',
  };

  test('writes one notification item with a deterministic id and a conditional expression', async () => {
    // GIVEN
    ddb.on(PutCommand).resolves({});

    // WHEN
    const result = await recordOutcome({ table }, {
      type: 'image.received',
      message: 'Received',
      object,
      details: { contentType: 'image/jpeg', versionId: 'v1' },
      createdAt: new Date('2026-11-28T17:02:11.532Z'),
    });

    // THEN
    expect(result).toBe('recorded');
    const calls = ddb.commandCalls(PutCommand);
    expect(calls).toHaveLength(1);
    const id = objectNotificationId(object);
    expect(calls[0].args[0].input).toEqual({
      TableName: 'notifications',
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
      Item: {
        id,
        type: 'image.received',
        createdAt: '2026-11-28T17:02:11.532Z',
        message: 'Received',
        source: 's3://tap-bucket/images/My Photo été+1.jpg',
        details: {
          bucket: 'tap-bucket',
          key: 'images/My Photo été+1.jpg',
          size: 48213,
          versionId: 'v1',
          eTag: 'etag1',
          sequencer: 'seq1',
          contentType: 'image/jpeg',
        },
        feed: 'ALL',
        sortKey: `2026-11-28T17:02:11.532Z#${id}`,
      },
    });
  });

  test('leaves undefined details out of the item', async () => {
    ddb.on(PutCommand).resolves({});
    await recordOutcome({ table }, { type: 'data.received', message: 'm', object: { bucket: 'b', key: 'data/x.csv' }, details: { size: undefined } });
    const details = ddb.commandCalls(PutCommand)[0].args[0].input.Item?.details as Record<string, unknown>;
    expect(details).toEqual({ bucket: 'b', key: 'data/x.csv' });
  });

  test('reports a failed condition as a duplicate delivery, without throwing', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(recordOutcome({ table }, { type: 'image.received', message: 'm', object })).resolves.toBe('duplicate');
  });

  test('rethrows throttling so that the event is retried', async () => {
    ddb.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(recordOutcome({ table }, { type: 'image.received', message: 'm', object }))
      .rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});
