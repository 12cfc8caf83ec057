import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { shardKey } from '../../src/contract/notifications-model';
import { indexShardOf } from '../../src/runtime/notification-item';
import { createNotificationsTable } from '../../src/runtime/notifications-table';
import { failedTypeOf, isFailedType, objectNotificationId, objectVersionItemId, recordOutcome, S3ObjectRef } from '../../src/runtime/outcome-store';

const ddb = mockClient(DynamoDBDocumentClient);
const table = createNotificationsTable('notifications');

beforeEach(() => {
  ddb.reset();
});

describe('objectNotificationId', () => {
  const object = { bucket: 'b', key: 'images/a.jpg', versionId: 'v1', eTag: 'e1', sequencer: 's1' };

  test('is deterministic: obj- and 64 hex digits, the same for every delivery under one configuration', () => {
    const id = objectNotificationId(object, 'fp1');
    expect(id).toMatch(/^obj-[0-9a-f]{64}$/);
    expect(objectNotificationId({ ...object }, 'fp1')).toBe(id);
  });

  test('changes with the configuration fingerprint, so a new configuration can record the same version again', () => {
    expect(objectNotificationId(object, 'fp2')).not.toBe(objectNotificationId(object, 'fp1'));
  });

  test('uses the versionId when there is one, ignoring sequencer and eTag', () => {
    const otherDelivery: S3ObjectRef = { ...object, sequencer: 's2', eTag: 'e2' };
    expect(objectNotificationId(otherDelivery, 'fp1')).toBe(objectNotificationId(object, 'fp1'));
    expect(objectNotificationId({ ...object, versionId: 'v2' }, 'fp1')).not.toBe(objectNotificationId(object, 'fp1'));
  });

  test('without a real versionId, uses the eTag as a listing shows it or an event sends it (quotes ignored)', () => {
    const unversioned = { bucket: 'b', key: 'images/a.jpg', eTag: 'e1' };
    expect(objectNotificationId(unversioned, 'fp1')).not.toBe(objectNotificationId({ ...unversioned, eTag: 'e2' }, 'fp1'));
    expect(objectNotificationId({ ...unversioned, eTag: '"e1"' }, 'fp1')).toBe(objectNotificationId(unversioned, 'fp1'));
    // `null` is the versionId of an object written while versioning was off: not an identity.
    expect(objectNotificationId({ ...unversioned, versionId: 'null' }, 'fp1')).toBe(objectNotificationId(unversioned, 'fp1'));
    // The sequencer is not in listings, so it is not part of the id.
    const withSequencer: S3ObjectRef = { ...unversioned, sequencer: 's9' };
    expect(objectNotificationId(withSequencer, 'fp1')).toBe(objectNotificationId(unversioned, 'fp1'));
  });

  test('depends on bucket and key, with no ambiguity between them', () => {
    expect(objectNotificationId({ ...object, bucket: 'c' }, 'fp1')).not.toBe(objectNotificationId(object, 'fp1'));
    expect(objectNotificationId({ ...object, key: 'images/b.jpg' }, 'fp1')).not.toBe(objectNotificationId(object, 'fp1'));
    expect(objectNotificationId({ bucket: 'a', key: 'b/c', versionId: 'v' }, 'fp1'))
      .not.toBe(objectNotificationId({ bucket: 'a/b', key: 'c', versionId: 'v' }, 'fp1'));
  });
});

describe('objectVersionItemId', () => {
  test('names the object version whatever the configuration, and is never a notification id', () => {
    const object = { bucket: 'b', key: 'images/a.jpg', versionId: 'v1' };
    expect(objectVersionItemId(object)).toMatch(/^ver-[0-9a-f]{64}$/);
    expect(objectVersionItemId({ ...object, versionId: 'v2' })).not.toBe(objectVersionItemId(object));
    expect(objectVersionItemId(object).slice(4)).not.toBe(objectNotificationId(object, 'fp1').slice(4));
  });
});

describe('recordOutcome', () => {
  const object = {
    bucket: 'tap-bucket', key: 'images/My Photo été+1.jpg', size: 48213, versionId: 'v1', eTag: 'etag1', sequencer: 'seq1',
  };

  test('a failed outcome replaces nothing: it is written only where the version has no outcome yet', async () => {
    ddb.on(PutCommand).resolves({});
    await recordOutcome({ table, fingerprint: 'fp1' }, { type: 'image.failed', message: 'Failed after 3 attempts', object });
    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(#id) OR #expiresAt <= :now');
    expect(put.ExpressionAttributeValues).toEqual({ ':now': expect.any(Number) });
  });

  test('failedTypeOf and isFailedType name a namespace\'s failed outcome', () => {
    expect(failedTypeOf('csv-summary.summarized')).toBe('csv-summary.failed');
    expect(isFailedType('image.failed')).toBe(true);
    expect(isFailedType('image.processed')).toBe(false);
    expect(isFailedType('image.failed.twice')).toBe(false);
  });

  test('writes one notification item with a deterministic id and a conditional expression', async () => {
    // GIVEN
    ddb.on(PutCommand).resolves({});

    // WHEN
    const result = await recordOutcome({ table, fingerprint: 'fp1' }, {
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
    const id = objectNotificationId(object, 'fp1');
    expect(calls[0].args[0].input).toEqual({
      TableName: 'notifications',
      // A failed outcome of the same kind (recorded when the event failed every attempt) is replaced.
      ConditionExpression: 'attribute_not_exists(#id) OR #expiresAt <= :now OR #type = :replaceable',
      ExpressionAttributeNames: { '#id': 'id', '#expiresAt': 'expiresAt', '#type': 'type' },
      ExpressionAttributeValues: { ':now': expect.any(Number), ':replaceable': 'image.failed' },
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
          fingerprint: 'fp1',
        },
        feedShard: shardKey('ALL', indexShardOf(id, 1)),
        typeShard: 'image.received#00',
        sortKey: `2026-11-28T17:02:11.532Z#${id}`,
      },
    });
    // AND the object version's index item lists the configuration, after the outcome
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0].args[0].input).toEqual({
      TableName: 'notifications',
      Key: { id: objectVersionItemId(object) },
      UpdateExpression: 'ADD #fingerprints :fingerprint',
      ExpressionAttributeNames: { '#fingerprints': 'fingerprints' },
      ExpressionAttributeValues: { ':fingerprint': new Set(['fp1']) },
    });
    expect(updates[0].calledAfter(calls[0])).toBe(true);
  });

  test('with a retention, the outcome and the version index item both get a TTL; the index item\'s moves with each outcome', async () => {
    // GIVEN a table whose items are kept 30 days, over 8 shards
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const kept = createNotificationsTable('notifications', { indexShards: 8, retentionSeconds: 30 * 86_400 });
    const createdAt = new Date('2026-11-28T17:02:11.532Z');

    // WHEN
    await recordOutcome({ table: kept, fingerprint: 'fp1' }, { type: 'image.processed', message: 'm', object, createdAt });

    // THEN the outcome expires 30 days after its creation, in the shard its id hashes to
    const item = ddb.commandCalls(PutCommand)[0].args[0].input.Item!;
    const id = objectNotificationId(object, 'fp1');
    expect(item.expiresAt).toBe(Math.floor(createdAt.getTime() / 1000) + 30 * 86_400);
    expect(item.feedShard).toBe(shardKey('ALL', indexShardOf(id, 8)));
    expect(item.typeShard).toBe(shardKey('image.processed', indexShardOf(id, 8)));
    // AND the version index item's TTL is set to 30 days from the write
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.UpdateExpression).toBe('ADD #fingerprints :fingerprint SET #expiresAt = :expiresAt');
    expect(update.ExpressionAttributeNames).toEqual({ '#fingerprints': 'fingerprints', '#expiresAt': 'expiresAt' });
    const expiresAt = update.ExpressionAttributeValues?.[':expiresAt'] as number;
    expect(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 30 * 86_400))).toBeLessThanOrEqual(5);
  });

  test('leaves undefined details out of the item', async () => {
    ddb.on(PutCommand).resolves({});
    await recordOutcome({ table, fingerprint: 'fp1' }, { type: 'data.received', message: 'm', object: { bucket: 'b', key: 'data/x.csv' }, details: { size: undefined } });
    const details = ddb.commandCalls(PutCommand)[0].args[0].input.Item?.details as Record<string, unknown>;
    expect(details).toEqual({ bucket: 'b', key: 'data/x.csv', fingerprint: 'fp1' });
  });

  test('reports a failed condition as a duplicate delivery, without throwing', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(recordOutcome({ table, fingerprint: 'fp1' }, { type: 'image.received', message: 'm', object })).resolves.toBe('duplicate');
    // The index item is still written: it heals a crash between the two writes of an earlier delivery.
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  test('rethrows a failed index write so that the event is retried (the outcome is then a harmless duplicate)', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(recordOutcome({ table, fingerprint: 'fp1' }, { type: 'image.received', message: 'm', object }))
      .rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });

  test('rethrows throttling so that the event is retried', async () => {
    ddb.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(recordOutcome({ table, fingerprint: 'fp1' }, { type: 'image.received', message: 'm', object }))
      .rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});
