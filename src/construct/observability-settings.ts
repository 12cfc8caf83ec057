import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { APPLICATION_SIGNALS_ARCHITECTURES, applicationSignalsLayerArn, LAYER_VERSION_ARN } from './application-signals-layers';
import { DEFAULTS, FunctionName } from './defaults';
import { PipelineOptions } from './pipeline-options';
import { fail } from './validation';

/** `applicationSignals` resolved: the layer every function gets. */
export interface ApplicationSignalsSettings {
  /** The ADOT JavaScript layer of the stack's region. */
  readonly layerArn: string;
  /** Whether to create the account's `AWS::ApplicationSignals::Discovery`. */
  readonly discovery: boolean;
}

/** Lambda's limit of layers per function. */
const MAX_LAYERS = 5;

/** The Application Signals exec wrapper variable: set by the construct when `applicationSignals` is on. */
export const EXEC_WRAPPER_ENV = 'AWS_LAMBDA_EXEC_WRAPPER';

/** What a function's settings must allow for Application Signals. */
interface InstrumentedFunction {
  readonly architecture: { readonly name: string };
  readonly layers: readonly unknown[];
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Resolves `applicationSignals` and `applicationSignalsDiscovery`: the layer ARN of the stack's
 * region, and checks that every function can take it (architecture served, a free layer slot, no
 * exec wrapper of the user's).
 */
export function resolveApplicationSignals(
  scope: Construct,
  props: PipelineOptions,
  tracing: boolean,
  functions: Readonly<Record<FunctionName, InstrumentedFunction>>,
): ApplicationSignalsSettings | undefined {
  const enabled = props.applicationSignals ?? DEFAULTS.applicationSignals;
  const discovery = props.applicationSignalsDiscovery ?? DEFAULTS.applicationSignalsDiscovery;
  const givenLayer = props.applicationSignalsLayerArn;
  if (!enabled) {
    if (givenLayer !== undefined) {
      fail('applicationSignalsLayerArn', givenLayer, 'it names the OpenTelemetry layer of applicationSignals, which is off',
        'Set applicationSignals: true too, or remove applicationSignalsLayerArn.');
    }
    if (discovery) {
      fail('applicationSignalsDiscovery', true, 'it enables Application Signals discovery for functions that are not instrumented',
        'Set applicationSignals: true too, or remove applicationSignalsDiscovery.');
    }
    return undefined;
  }
  if (!tracing) {
    fail('tracing', false, 'applicationSignals needs X-Ray active tracing on the functions',
      'Remove tracing: false, or turn applicationSignals off.');
  }
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    fail('applicationSignals', true, 'the stack has no concrete region (an environment-agnostic stack), and the OpenTelemetry layer ' +
      'is published per region', 'Give the stack an env with a region, e.g. new Stack(app, \'Tap\', { env: { region: \'eu-west-1\' } }).');
  }
  const layerArn = givenLayer !== undefined ? checkedLayerArn(givenLayer, region) : applicationSignalsLayerArn(region);
  if (layerArn === undefined) {
    fail('applicationSignals', true, `the construct's table has no AWS OpenTelemetry (AWSOpenTelemetryDistroJs) layer in region ${region}`,
      'Pass the ARN AWS publishes for that region ("Lambda layer ARNs" in the AWS Distro for OpenTelemetry documentation) ' +
      'as applicationSignalsLayerArn, or turn applicationSignals off.');
  }
  for (const [name, fn] of Object.entries(functions)) {
    if (!APPLICATION_SIGNALS_ARCHITECTURES.includes(fn.architecture.name)) {
      fail(`${name}.architecture`, fn.architecture.name,
        `the AWS OpenTelemetry layer serves ${APPLICATION_SIGNALS_ARCHITECTURES.join(' and ')} only`,
        'Use lambda.Architecture.ARM_64 (the default) or lambda.Architecture.X86_64, or turn applicationSignals off.');
    }
    if (fn.layers.length + 1 > MAX_LAYERS) {
      fail(`${name}.layers`, `${fn.layers.length} layers`,
        `applicationSignals adds the OpenTelemetry layer, and a function takes at most ${MAX_LAYERS} layers`,
        `Give ${name} at most ${MAX_LAYERS - 1} layers of your own (functionDefaults.layers and ${name}.layers together).`);
    }
    if (EXEC_WRAPPER_ENV in fn.environment) {
      fail(`${name}.environment`, EXEC_WRAPPER_ENV, 'applicationSignals sets the exec wrapper to the OpenTelemetry layer\'s /opt/otel-instrument',
        `Remove ${EXEC_WRAPPER_ENV} from the environment, or turn applicationSignals off.`);
    }
  }
  return { layerArn, discovery };
}

/** `applicationSignalsLayerArn` checked: a layer version ARN in the stack's region (tokens pass as they are). */
function checkedLayerArn(arn: string, region: string): string {
  if (Token.isUnresolved(arn)) {
    return arn;
  }
  const match = LAYER_VERSION_ARN.exec(arn);
  if (match === null) {
    fail('applicationSignalsLayerArn', arn, 'it is not a Lambda layer version ARN',
      'Use the form arn:aws:lambda:<region>:<account>:layer:AWSOpenTelemetryDistroJs:<version>, from AWS\'s table.');
  }
  if (match![2] !== region) {
    fail('applicationSignalsLayerArn', arn, `the layer is in ${match![2]} and the stack in ${region}; a function can only use layers of its own region`,
      `Use the ARN AWS publishes for ${region}.`);
  }
  return arn;
}
