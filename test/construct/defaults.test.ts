import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ts from 'typescript';
import { DEFAULTS as SHARED_DEFAULTS } from '../../src/construct/defaults';
import { Ingestion } from '../../src/construct/ingestion';
import { DATA_DEFAULTS } from '../../src/data/data-settings';
import { IMAGE_DEFAULTS } from '../../src/images/image-settings';
import { ThumbnailFormat } from '../../src/images/thumbnail-format';
import { ApiAuthorization } from '../../src/notifications/api-authorization';
import { API_DEFAULTS } from '../../src/notifications/api-settings';

// Every default lives beside the settings that apply it (construct/defaults.ts for the shared options,
// IMAGE_DEFAULTS, DATA_DEFAULTS and API_DEFAULTS for the features'); the `@default` of each prop in its
// TSDoc (and so API.md) must say the same. This test reads the TSDoc from the sources and checks every default that
// is written as a value.

const SRC = path.join(__dirname, '..', '..', 'src');

/** `@default` text of each property of `interfaceName` in `file`. */
function defaultsOf(file: string, interfaceName: string): Record<string, string> {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Record<string, string> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== interfaceName) return;
    for (const member of node.members) {
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
      const text = typeof tag?.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag?.comment);
      if (member.name && text !== undefined) found[(member.name as ts.Identifier).text] = text.trim();
    }
  });
  if (Object.keys(found).length === 0) throw new Error(`no @default found in ${interfaceName} (${file})`);
  return found;
}

/** The value a `@default` written as a literal or a well-known expression stands for. */
function valueOf(text: string): unknown {
  const env = { Duration, Size, RemovalPolicy, ThumbnailFormat, ApiAuthorization, Ingestion, lambda, logs };
  return new Function(...Object.keys(env), `return (${text.replace(/(\d)_(?=\d)/g, '$1')});`)(...Object.values(env));
}

/** Comparable form of a default: Durations and Sizes by amount. */
function comparable(value: unknown): unknown {
  if (value instanceof Duration) return `${value.toSeconds()} s`;
  if (value instanceof Size) return `${value.toBytes()} bytes`;
  if (value instanceof lambda.Architecture) return value.name;
  if (value instanceof ApiAuthorization) return `ApiAuthorization of type ${value.type}`;
  if (value instanceof Ingestion) return `Ingestion in mode ${value.mode}`;
  return value;
}

// TapServerlessProps is the four groups of options, each declared (with its defaults) by the part it configures.
const PROPS = {
  ...defaultsOf('construct/pipeline-options.ts', 'PipelineOptions'),
  ...defaultsOf('images/image-processing-options.ts', 'ImageProcessingOptions'),
  ...defaultsOf('data/data-validation-options.ts', 'DataValidationOptions'),
  ...defaultsOf('notifications/notifications-api-options.ts', 'NotificationsApiOptions'),
};
const FUNCTION_OPTIONS = defaultsOf('construct/function-options.ts', 'TapFunctionOptions');
const ALARMS = defaultsOf('construct/alarm-options.ts', 'TapAlarmOptions');
const OBJECTIVES = defaultsOf('notifications/api-objectives.ts', 'ApiObjectiveOptions');
const DEFAULTS = { ...SHARED_DEFAULTS, ...IMAGE_DEFAULTS, ...DATA_DEFAULTS, ...API_DEFAULTS };

describe('the TSDoc @default of each prop states the value in DEFAULTS', () => {
  const props = [
    'environmentSuffix', 'bucketTransitionToInfrequentAccessAfter', 'bucketTransitionToGlacierAfter', 'bucketNoncurrentVersionExpiration',
    'imageInputPrefix', 'dataInputPrefix', 'imageOutputPrefix', 'dataOutputPrefix', 'dataMaxSize', 'dataMaxRecordSize', 'dataMaxJsonDepth',
    'dataMaxReportErrors', 'imageThumbnailWidths', 'imageThumbnailFormat', 'imageMaxSize', 'imageMaxPixels', 'retryAttempts', 'maxEventAge',
    'apiThrottlingRateLimit', 'apiThrottlingBurstLimit', 'apiExportMaxConcurrency', 'apiExportMaxRange', 'apiAccessLogging', 'apiCloudWatchRole',
    'dashboard', 'logRetention',
    'tracing', 'removalPolicy', 'apiAuthorization', 'tableIndexShards', 'ingestion', 'applicationSignals',
    'applicationSignalsDiscovery',
  ] as const;
  test.each(props)('%s', (prop) => {
    expect(PROPS[prop]).toBeDefined();
    expect(comparable(valueOf(PROPS[prop]))).toEqual(comparable(DEFAULTS[prop]));
  });

  test('architecture (TapFunctionOptions)', () => {
    expect(comparable(valueOf(FUNCTION_OPTIONS.architecture))).toEqual(comparable(DEFAULTS.architecture));
  });

  test.each(Object.keys(DEFAULTS.apiObjectives) as Array<keyof typeof DEFAULTS.apiObjectives>)('apiObjectives.%s', (option) => {
    expect(comparable(valueOf(OBJECTIVES[option]))).toEqual(comparable(DEFAULTS.apiObjectives[option]));
  });

  test.each(Object.keys(DEFAULTS.alarms) as Array<keyof typeof DEFAULTS.alarms>)('alarmOptions.%s', (option) => {
    expect(comparable(valueOf(ALARMS[option]))).toEqual(comparable(DEFAULTS.alarms[option]));
  });

  test.each(Object.keys(DEFAULTS.functions) as Array<keyof typeof DEFAULTS.functions>)('the memory and timeout of %s', (name) => {
    const { memorySize, timeout } = DEFAULTS.functions[name];
    expect(PROPS[name]).toContain(`then ${memorySize} MiB and ${timeout.toHumanString()}`);
    expect(FUNCTION_OPTIONS.memorySize).toMatch(new RegExp(`\\b${memorySize} for the ${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}\\b`));
  });

  test('every prop with a value for a default is checked here', () => {
    const literal = Object.entries(PROPS).filter(([, text]) => !text.startsWith('-')).map(([prop]) => prop);
    expect(literal.sort()).toEqual([...props].sort());
  });
});
