import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { imageProcessorFingerprint, ImageSettings } from './image-settings';
import { bundledFunctionCode, FUNCTION_ASSETS } from '../construct/assets';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { addS3Trigger, S3Function } from '../construct/s3-trigger';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';

/** sharp's native binaries are per CPU: the image processor has one asset folder per architecture. */
const ASSETS_BY_ARCHITECTURE: Record<string, string> = {
  [lambda.Architecture.ARM_64.name]: FUNCTION_ASSETS.IMAGE_PROCESSOR_ARM64,
  [lambda.Architecture.X86_64.name]: FUNCTION_ASSETS.IMAGE_PROCESSOR_X64,
};

/** The image processor: thumbnails for every object created under the images prefix. */
export function createImageProcessor(scope: Construct, bucket: s3.IBucket, images: ImageSettings, ctx: FunctionContext): S3Function {
  const { settings } = ctx;
  const { prefixes } = settings;
  const fnSettings = settings.functions.imageProcessor;
  const fn = createTapFunction(scope, {
    id: 'ImageProcessor',
    description: 'TapServerless: turns uploaded images into thumbnails',
    serviceName: SERVICE_NAME.IMAGE_PROCESSOR,
    code: imageProcessorCode(scope, fnSettings.architecture),
    settings: fnSettings,
    environment: {
      [ENV.THUMBNAIL_WIDTHS]: images.thumbnailWidths.join(','),
      [ENV.THUMBNAIL_FORMAT]: images.thumbnailFormat,
      [ENV.MAX_IMAGE_BYTES]: String(images.maxImageBytes),
      [ENV.MAX_IMAGE_PIXELS]: String(images.maxImagePixels),
    },
    asynchronous: settings.reliability,
    s3: { kind: 'image', bucket, inputPrefix: prefixes.imageInputPrefix, outputPrefix: prefixes.imageOutputPrefix, fingerprint: imageProcessorFingerprint(images) },
  }, ctx);
  const trigger = addS3Trigger(scope, 'ImageProcessor', bucket, fn, prefixes.imageInputPrefix, ctx);
  return { fn, queue: trigger.queue };
}

/**
 * The image processor's code for an architecture: the zip of its bundle and sharp's binaries for
 * that CPU (9 MB; 21 MB unzipped), deployed as it is, with the hash computed when the library was built.
 */
function imageProcessorCode(scope: Construct, architecture: lambda.Architecture): lambda.Code {
  const asset = ASSETS_BY_ARCHITECTURE[architecture.name];
  if (asset === undefined) {
    throw new Error(`TapServerless: invalid imageProcessor.architecture (${JSON.stringify(architecture.name)}): the image processor ships ` +
      'sharp binaries for arm64 and x86_64 only. Use lambda.Architecture.ARM_64 or lambda.Architecture.X86_64.');
  }
  return bundledFunctionCode(scope, asset);
}
