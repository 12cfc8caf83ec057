import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { classifyObjects } from '../../src/cli/outcomes';
import { batchGetById, UnprocessedKeysError } from '../../src/runtime/batch-get';
import { objectNotificationId, objectVersionItemId } from '../../src/runtime/outcome-store';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const target = { table: 'notes', bucket: 'b', fingerprint: 'fp2', now: new Date('2026-12-01T00:00:00Z') };
const NOW_S = Date.parse('2026-12-01T00:00:00Z') / 1000;
const object = (key: string) => ({ key, versionId: `v-${key}`, eTag: 'e', size: 1 });
const ids = (key: string, fingerprint = 'fp2') => {
  const ref = { bucket: 'b', key, versionId: `v-${key}`, eTag: 'e' };
  return { outcome: objectNotificationId(ref, fingerprint), version: objectVersionItemId(ref) };
};

beforeEach(() => ddb.reset());

describe('classifyObjects and the TTL', () => {
  test('an outcome or a version record past its TTL counts as absent, even before DynamoDB deletes it', async () => {
    // GIVEN live and expired outcomes and version records
    const items = [
      { id: ids('images/live.jpg').outcome, type: 'image.processed', expiresAt: NOW_S + 60 },
      { id: ids('images/expired.jpg').outcome, type: 'image.processed', expiresAt: NOW_S - 1 },
      { id: ids('images/older.jpg').version, fingerprints: new Set(['fp1']), expiresAt: NOW_S + 60 },
      { id: ids('images/older-expired.jpg').version, fingerprints: new Set(['fp1']), expiresAt: NOW_S },
      { id: ids('images/kept.jpg').outcome, type: 'image.rejected' },
    ];
    ddb.on(BatchGetCommand).resolves({ Responses: { notes: items } });

    // WHEN
    const keys = ['live', 'expired', 'older', 'older-expired', 'kept'].map((k) => `images/${k}.jpg`);
    const classified = await classifyObjects(client, target, keys.map(object));

    // THEN
    expect(classified.map((c) => [c.object.key, c.status])).toEqual([
      ['images/live.jpg', 'current'],
      ['images/expired.jpg', 'missing'],
      ['images/older.jpg', 'older-configuration'],
      ['images/older-expired.jpg', 'missing'],
      ['images/kept.jpg', 'current'],
    ]);
    // AND the TTL attribute is read with the rest, by key only
    const input = ddb.commandCalls(BatchGetCommand)[0].args[0].input;
    expect(Object.values(input.RequestItems!.notes.ExpressionAttributeNames!)).toEqual(['id', 'type', 'expiresAt', 'fingerprints']);
    expect(input.RequestItems!.notes.Keys).toHaveLength(10);
  });
});

describe('batchGetById', () => {
  test('retries unprocessed keys with back-off, then gives up with a clear error', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { notes: [] }, UnprocessedKeys: { notes: { Keys: [{ id: 'a' }] } } });
    const pauses: number[] = [];
    await expect(batchGetById(client, 'notes', ['a', 'b'], { backoffMs: (attempt) => { pauses.push(attempt); return 0; } }))
      .rejects.toThrow(UnprocessedKeysError);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(9);
    expect(pauses).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('reads each id once and refuses more than 100', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { notes: [{ id: 'a', type: 't' }] } });
    const found = await batchGetById(client, 'notes', ['a', 'a', 'b']);
    expect([...found.keys()]).toEqual(['a']);
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems!.notes.Keys).toEqual([{ id: 'a' }, { id: 'b' }]);
    await expect(batchGetById(client, 'notes', Array.from({ length: 101 }, (_, i) => `id${i}`))).rejects.toThrow(/at most 100/);
  });
});
