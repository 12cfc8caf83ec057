import { objectReadDetails } from '../../src/runtime/object-read';

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
