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
