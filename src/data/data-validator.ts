import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dataValidatorFingerprint, DataSettings } from './data-settings';
import { dataValidatorCode } from './data-validator-code';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { addS3Trigger, S3Function } from '../construct/s3-trigger';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';

/** The data validator: a report and a notification for every object created under the data prefix. */
export function createDataValidator(scope: Construct, bucket: s3.IBucket, data: DataSettings, ctx: FunctionContext): S3Function {
  const { settings } = ctx;
  const { prefixes } = settings;
  const fn = createTapFunction(scope, {
    id: 'DataValidator',
    description: 'TapServerless: validates uploaded data files',
    serviceName: SERVICE_NAME.DATA_VALIDATOR,
    // The bundled handler, plus the schema precompiled at synth next to it.
    code: dataValidatorCode(scope, data.schema),
    settings: settings.functions.dataValidator,
    environment: {
      [ENV.DATA_MAX_BYTES]: String(data.maxDataBytes),
      [ENV.DATA_MAX_RECORD_BYTES]: String(data.maxRecordBytes),
      [ENV.DATA_MAX_JSON_DEPTH]: String(data.maxJsonDepth),
      [ENV.DATA_MAX_REPORT_ERRORS]: String(data.maxReportErrors),
    },
    asynchronous: settings.reliability,
    s3: { kind: 'data', bucket, inputPrefix: prefixes.dataInputPrefix, outputPrefix: prefixes.dataOutputPrefix, fingerprint: dataValidatorFingerprint(data) },
  }, ctx);
  const trigger = addS3Trigger(scope, 'DataValidator', bucket, fn, prefixes.dataInputPrefix, ctx);
  return { fn, queue: trigger.queue };
}
