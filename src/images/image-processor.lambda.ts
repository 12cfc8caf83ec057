import { parseImageSettings } from './runtime/settings';
import { createThumbnailProcessor } from './runtime/thumbnail-processor';
import { configureSharpForLambda } from './runtime/thumbnails';
import { ENV } from '../contract/env-names';
import { requirePrefixEnv } from '../runtime/env';
import { createS3Handler, ingestionS3Client } from '../runtime/s3-handler';

// Module scope: created once per execution environment, reused by every invocation.
configureSharpForLambda();
const imagesPrefix = requirePrefixEnv(ENV.IMAGES_PREFIX);
const thumbnailsPrefix = requirePrefixEnv(ENV.THUMBNAILS_PREFIX);
const s3 = ingestionS3Client();
const processor = createThumbnailProcessor({ s3, settings: parseImageSettings(), imagesPrefix, thumbnailsPrefix });

/** ObjectCreated events for the images prefix: thumbnails and one recorded outcome per object (see processS3Event). */
export const handler = createS3Handler('image', imagesPrefix, processor, s3);
