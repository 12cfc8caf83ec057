import { GetObjectCommand, HeadObjectCommand, HeadObjectCommandOutput, PutObjectCommand, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { errorName, httpStatusCode, isNotFound, isOverwritten } from './errors';
import type { S3ObjectRef } from './outcome-store';

/** The fields of a HeadObject or GetObject response that describe the object version answered. */
export interface ObjectReadResponse {
  readonly ContentLength?: number;
  readonly VersionId?: string;
  readonly ETag?: string;
  readonly ContentType?: string;
}

/** The object version a function actually read, as S3 described it. */
export interface ObjectReadDetails {
  readonly size?: number;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly contentType?: string;
}

/**
 * What a notification records about the object that was processed: its `size`, `versionId`, `eTag`
 * (unquoted, as in events) and `contentType` as S3 answered the read (HeadObject / GetObject),
 * not as the event announced them. An event can be stale or incomplete: no `versionId` (an
 * unversioned bucket, or a hand-made event), or the size of another write of the key. A field S3
 * did not return falls back to the event's; `size` is the byte count read, when it is known.
 *
 * Spread these over a processor's notification details (they override the event's fields).
 */
export function objectReadDetails(object: S3ObjectRef, response: ObjectReadResponse, bytesRead?: number): ObjectReadDetails {
  const eTag = response.ETag?.replace(/"/g, '') || object.eTag;
  return withoutUndefined({
    size: bytesRead ?? response.ContentLength ?? object.size,
    versionId: response.VersionId || object.versionId,
    eTag,
    contentType: response.ContentType,
  });
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/**
 * The request fields that pin a read to the object version an event names: its `VersionId`, or, in
 * an unversioned bucket, `IfMatch` on its ETag, so that a write of the key between the event and the
 * read (or between two reads) is never read under the event's identity: S3 answers 412
 * PreconditionFailed instead (see `isOverwritten`).
 */
export function pinnedTo(version: { readonly versionId?: string; readonly eTag?: string }): { VersionId?: string; IfMatch?: string } {
  if (version.versionId && version.versionId !== 'null') return { VersionId: version.versionId };
  if (version.eTag) return { IfMatch: `"${version.eTag.replace(/"/g, '')}"` };
  return {};
}

/** HeadObject found nothing and GetObject then found the object: it appeared in between; retried. */
export class ObjectAppearedError extends Error {
  constructor(bucket: string, key: string) {
    super(`HeadObject found no s3://${bucket}/${key} but GetObject then did: it was written in between; retrying`);
    this.name = 'ObjectAppearedError';
  }
}

/**
 * HeadObject, with its 404 made exact. A HeadObject response has no body, so the SDK names every
 * 404 `NotFound`: a missing key and a missing bucket look alike, and a missing bucket (deleted, or
 * never this account's) must never be recorded as "object deleted". On a `NotFound` the same read
 * is asked of GetObject (one byte), whose error body says which: `NoSuchKey` or `NoSuchVersion`
 * (the object is gone: see `isNotFound`) or `NoSuchBucket` (a deployment fault: retried, then
 * dead-lettered), thrown as it comes.
 */
export async function headObjectExact(
  s3: S3Client,
  input: { readonly Bucket: string; readonly Key: string; readonly VersionId?: string; readonly IfMatch?: string },
): Promise<HeadObjectCommandOutput> {
  try {
    return await s3.send(new HeadObjectCommand({ ...input }));
  } catch (err) {
    if (errorName(err) !== 'NotFound') throw err;
    const got = await s3.send(new GetObjectCommand({ ...input, Range: 'bytes=0-0' }));
    await got.Body?.transformToByteArray();
    throw new ObjectAppearedError(input.Bucket, input.Key);
  }
}

/**
 * The key no longer holds the version a function read: a newer write (or a delete) is current, so
 * this version's outputs must not be written over the newer one's.
 */
export class SupersededError extends Error {
  /**
   * @param current the key's current version, as HeadObject described it; undefined when the key was deleted
   */
  constructor(public readonly current: ObjectReadDetails | undefined) {
    super(current === undefined
      ? 'The object was deleted after this version was written: its outputs are not written'
      : `A newer write of the object is current (${current.versionId !== undefined ? `version ${current.versionId}` : `ETag ${current.eTag}`}): `
        + 'the outputs of this older version are not written over the newer one\'s; the newer write has its own event');
    this.name = 'SupersededError';
  }
}

/**
 * Checks, just before a function writes an object version's outputs (thumbnails, a report), that
 * the version it read is still the key's current one: HeadObject of the key without a version gives
 * the same version id (versioned bucket) or the same ETag (unversioned). So a late, retried or
 * redriven event of an older version never overwrites the outputs of a newer one.
 *
 * @throws SupersededError when another version is current or the key was deleted
 */
export async function assertStillCurrent(s3: S3Client, bucket: string, key: string, read: ObjectReadDetails): Promise<void> {
  let head: HeadObjectCommandOutput;
  try {
    head = await headObjectExact(s3, { Bucket: bucket, Key: key });
  } catch (err) {
    if (isNotFound(err)) throw new SupersededError(undefined);
    throw err;
  }
  const current = withoutUndefined({ versionId: head.VersionId || undefined, eTag: head.ETag?.replace(/"/g, '') || undefined });
  const versioned = read.versionId !== undefined && read.versionId !== 'null';
  const same = versioned ? current.versionId === read.versionId : current.eTag !== undefined && current.eTag === read.eTag;
  if (!same) throw new SupersededError(current);
}

/** One output of an object version (a thumbnail, a report): its key, content and content type. */
export type OutputObject = Pick<PutObjectCommandInput, 'Key' | 'Body' | 'ContentType'> & { readonly Key: string };

/** Rounds of "look, check, write" before a write that keeps being overtaken is given up (and the event retried). */
const OUTPUT_WRITE_ROUNDS = 5;

/**
 * Thrown when the outputs were overtaken by other writes in every round: the event fails and is
 * retried (it is never a 412 of the outputs, which the caller would take for an overwritten input).
 */
export class OutputsContendedError extends Error {
  constructor(bucket: string, key: string, rounds: number) {
    super(`The outputs of s3://${bucket}/${key} were written by another invocation in each of ${rounds} rounds; retried`);
    this.name = 'OutputsContendedError';
  }
}

/**
 * Writes an object version's outputs so that they never go backwards, even when the processing of
 * two versions of the key overlaps. Each round:
 *
 * 1. looks at each output as it is (its ETag, or absent: HeadObject);
 * 2. checks that the version read is still the key's current one ({@link assertStillCurrent}:
 *    otherwise `SupersededError`, nothing written);
 * 3. writes each output only if it is still what step 1 saw (S3 conditional writes: `IfMatch` its
 *    ETag, or `IfNoneMatch: *` when absent).
 *
 * A newer version's outputs written between steps 1 and 3 make a write fail (412 or 409), and the
 * next round's step 2 finds this version superseded: an older version can never land its outputs
 * over a newer one's, whatever the interleaving. (A newer version overtaken by an older one's write
 * simply writes again in the next round.) After {@link OUTPUT_WRITE_ROUNDS} contended rounds,
 * {@link OutputsContendedError}: retried like any fault.
 */
export async function writeOutputsWhileCurrent(
  s3: S3Client,
  source: { readonly bucket: string; readonly key: string; readonly read: ObjectReadDetails },
  outputs: readonly OutputObject[],
): Promise<void> {
  const { bucket, key, read } = source;
  for (let round = 1; round <= OUTPUT_WRITE_ROUNDS; round++) {
    const seen = await Promise.all(outputs.map((output) => currentETag(s3, bucket, output.Key)));
    await assertStillCurrent(s3, bucket, key, read);
    try {
      for (const [i, output] of outputs.entries()) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, ...output, ...(seen[i] !== undefined ? { IfMatch: seen[i] } : { IfNoneMatch: '*' }) }));
      }
      return;
    } catch (err) {
      // 412: the output changed since it was looked at; 409: a concurrent conditional write of it.
      if (!isOverwritten(err) && httpStatusCode(err) !== 409) throw err;
    }
  }
  throw new OutputsContendedError(bucket, key, OUTPUT_WRITE_ROUNDS);
}

/**
 * An output's current ETag (quoted, as S3 compares it), or undefined when there is none. A plain
 * HeadObject: its 404 is taken as "no output yet" (the bucket itself was just read from).
 */
async function currentETag(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))?.ETag;
  } catch (err) {
    if (isNotFound(err) || errorName(err) === 'NotFound') return undefined;
    throw err;
  }
}
