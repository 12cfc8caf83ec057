import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { assertStillCurrent, objectReadDetails, SupersededError } from '../../src/runtime/object-read';

describe('objectReadDetails', () => {
  const event = { bucket: 'b', key: 'data/x.csv', size: 13_014_151, eTag: 'from-event', sequencer: '01' };

  test('describes the version S3 answered, not the event: size, versionId, unquoted ETag, content type', () => {
    // GIVEN an event without versionId, announcing another size, and the GetObject response for the object read
    const response = { ContentLength: 40, VersionId: 'v-real', ETag: '"0123abcd"', ContentType: 'text/csv' };

    // WHEN
    const details = objectReadDetails(event, response);

    // THEN
    expect(details).toEqual({ size: 40, versionId: 'v-real', eTag: '0123abcd', contentType: 'text/csv' });
  });

  test('the bytes actually read win over ContentLength', () => {
    expect(objectReadDetails(event, { ContentLength: 40 }, 39)).toMatchObject({ size: 39 });
  });

  test('fields S3 did not return fall back to the event\'s; no undefined values', () => {
    expect(objectReadDetails({ ...event, versionId: 'v-event' }, {})).toEqual({ size: 13_014_151, versionId: 'v-event', eTag: 'from-event' });
    expect(objectReadDetails({ bucket: 'b', key: 'k' }, {})).toEqual({});
  });
});

describe('assertStillCurrent (finding: stale outputs overwrite current ones)', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const notFound = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });

  test('the version read is current (same version id; unversioned: same ETag): nothing thrown, one HeadObject of the key', async () => {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v2', ETag: '"e2"' });
    await expect(assertStillCurrent(new S3Client({}), 'b', 'images/a.png', { versionId: 'v2', eTag: 'e2' })).resolves.toBeUndefined();
    s3.on(HeadObjectCommand).resolves({ ETag: '"e2"' });
    await expect(assertStillCurrent(new S3Client({}), 'b', 'images/a.png', { eTag: 'e2' })).resolves.toBeUndefined();
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b', Key: 'images/a.png' }, { Bucket: 'b', Key: 'images/a.png' }]);
  });

  test('a newer version (or, unversioned, another ETag; or a "null" version id and another ETag) is current: SupersededError naming it', async () => {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v3', ETag: '"e3"' });
    const err = await assertStillCurrent(new S3Client({}), 'b', 'k', { versionId: 'v2', eTag: 'e2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupersededError);
    expect((err as SupersededError).current).toEqual({ versionId: 'v3', eTag: 'e3' });
    expect((err as Error).message).toBe('A newer write of the object is current (version v3): the outputs of this older version are not written over the newer one\'s; '
      + 'the newer write has its own event');
    s3.on(HeadObjectCommand).resolves({ ETag: '"e3"' });
    await expect(assertStillCurrent(new S3Client({}), 'b', 'k', { eTag: 'e2' })).rejects.toThrow(/current \(ETag e3\)/);
    s3.on(HeadObjectCommand).resolves({ VersionId: 'null', ETag: '"e3"' });
    await expect(assertStillCurrent(new S3Client({}), 'b', 'k', { versionId: 'null', eTag: 'e2' })).rejects.toThrow(SupersededError);
  });

  test('the key deleted since (HeadObject 404, GetObject NoSuchKey) is superseded; a missing bucket is not (NoSuchBucket thrown)', async () => {
    s3.on(HeadObjectCommand).rejects(notFound());
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    const err = await assertStillCurrent(new S3Client({}), 'b', 'k', { versionId: 'v2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupersededError);
    expect((err as SupersededError).current).toBeUndefined();
    expect((err as Error).message).toBe('The object was deleted after this version was written: its outputs are not written');

    s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }));
    await expect(assertStillCurrent(new S3Client({}), 'b', 'k', { versionId: 'v2' })).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
