import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataSchema, TapServerlessProps, ThumbnailFormat } from '../../src';
import { synth } from '../support/templates';

/** The configuration fingerprints the construct gives its two S3 functions. */
function fingerprints(props?: TapServerlessProps): { image: string; data: string } {
  const { template } = synth(props);
  const of = (description: string): string => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f: any) => String(f.Properties.Description).includes(description));
    expect(fns).toHaveLength(1);
    return (fns[0] as any).Properties.Environment.Variables.TAP_CONFIG_FINGERPRINT;
  };
  return { image: of('thumbnails'), data: of('validates') };
}

const SCHEMA = DataSchema.fromJson('{"type": "object", "required": ["id"]}');

describe('configuration fingerprints', () => {
  const base = fingerprints();

  test('each S3 function gets one: 16 hex digits, stable across syntheses', () => {
    expect(base.image).toMatch(/^[0-9a-f]{16}$/);
    expect(base.data).toMatch(/^[0-9a-f]{16}$/);
    expect(base.image).not.toBe(base.data);
    expect(fingerprints()).toEqual(base);
  });

  test('the notification handler has none: it records no object outcomes', () => {
    const { template } = synth();
    const handler = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((f: any) => String(f.Properties.Description).includes('notifications API')) as any;
    expect(handler).toBeDefined();
    expect(handler.Properties.Environment.Variables.TAP_CONFIG_FINGERPRINT).toBeUndefined();
  });

  test.each<[string, TapServerlessProps]>([
    ['imageThumbnailWidths', { imageThumbnailWidths: [128, 1024] }],
    ['thumbnail order', { imageThumbnailWidths: [512, 128] }],
    ['imageThumbnailFormat', { imageThumbnailFormat: ThumbnailFormat.JPEG }],
    ['imageMaxSize', { imageMaxSize: Size.mebibytes(10) }],
    ['imageMaxPixels', { imageMaxPixels: 50_000_000 }],
  ])('the image fingerprint changes with %s, the data fingerprint does not', (_, props) => {
    const changed = fingerprints(props);
    expect(changed.image).not.toBe(base.image);
    expect(changed.data).toBe(base.data);
  });

  test.each<[string, TapServerlessProps]>([
    ['dataSchema', { dataSchema: SCHEMA }],
    ['dataMaxSize', { dataMaxSize: Size.mebibytes(5) }],
    ['dataMaxRecordSize', { dataMaxRecordSize: Size.kibibytes(64) }],
    ['dataMaxJsonDepth', { dataMaxJsonDepth: 8 }],
    ['dataMaxReportErrors', { dataMaxReportErrors: 10 }],
  ])('the data fingerprint changes with %s, the image fingerprint does not', (_, props) => {
    const changed = fingerprints(props);
    expect(changed.data).not.toBe(base.data);
    expect(changed.image).toBe(base.image);
  });

  test('a different schema gives a different fingerprint; the same schema text the same one', () => {
    const one = fingerprints({ dataSchema: SCHEMA }).data;
    expect(fingerprints({ dataSchema: DataSchema.fromJson('{"type": "object", "required": ["id"]}') }).data).toBe(one);
    expect(fingerprints({ dataSchema: DataSchema.fromJson('{"type": "object", "required": ["name"]}') }).data).not.toBe(one);
  });

  test('settings that do not shape the output leave both fingerprints alone', () => {
    expect(fingerprints({
      functionDefaults: { memorySize: 2048, timeout: Duration.seconds(20), architecture: lambda.Architecture.X86_64 },
      environmentSuffix: 'prod',
    })).toEqual(base);
  });

  test('the S3 functions may update the table (their object version index items); the API function may not', () => {
    const { template } = synth();
    const dynamoActions = (rolePrefix: string): string[] => {
      const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(rolePrefix))![1] as any;
      return policy.Properties.PolicyDocument.Statement.flatMap((st: any) => [].concat(st.Action))
        .filter((a: string) => a.startsWith('dynamodb:')).sort();
    };
    expect(dynamoActions('TapImageProcessorRole')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(dynamoActions('TapDataValidatorRole')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(dynamoActions('TapNotificationHandlerRole')).not.toContain('dynamodb:UpdateItem');
  });
});
