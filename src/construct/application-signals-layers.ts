// The AWS Distro for OpenTelemetry (ADOT) JavaScript layer that CloudWatch Application Signals
// uses on Node.js Lambda functions (`applicationSignals`), per region. One layer version serves
// both architectures (x86_64 and arm64). AWS publishes it from an account of its own in each
// region, and the version numbers differ by region.
//
// The authoritative table is AWS's "Lambda layer ARNs" page of the AWS Distro for OpenTelemetry
// documentation (https://aws-otel.github.io/docs/getting-started/lambda, linked from "Enable your
// applications on Lambda" in the Amazon CloudWatch User Guide). The versions below are its
// AWSOpenTelemetryDistroJs release 15 (v0.12.0 of aws-otel-js-instrumentation) as copied by
// public deployments, read 2026-12-05; newer versions exist. A user who needs a newer version, or
// a region missing here, passes the ARN from AWS's table as `applicationSignalsLayerArn`.

/** The publishing account and layer version of `AWSOpenTelemetryDistroJs` in one region. */
interface LayerVersion {
  readonly account: string;
  readonly version: number;
}

const MAIN_ACCOUNT = '615299751070';

/** `AWSOpenTelemetryDistroJs` per region. */
export const APPLICATION_SIGNALS_LAYERS: Readonly<Record<string, LayerVersion>> = {
  'af-south-1': { account: '904233096616', version: 15 },
  'ap-east-1': { account: '888577020596', version: 15 },
  'ap-east-2': { account: '412664885777', version: 4 },
  'ap-northeast-1': { account: MAIN_ACCOUNT, version: 15 },
  'ap-northeast-2': { account: MAIN_ACCOUNT, version: 15 },
  'ap-northeast-3': { account: MAIN_ACCOUNT, version: 15 },
  'ap-south-1': { account: MAIN_ACCOUNT, version: 15 },
  'ap-south-2': { account: '796973505492', version: 15 },
  'ap-southeast-1': { account: MAIN_ACCOUNT, version: 15 },
  'ap-southeast-2': { account: MAIN_ACCOUNT, version: 15 },
  'ap-southeast-3': { account: '039612877180', version: 15 },
  'ap-southeast-4': { account: '713881805771', version: 15 },
  'ap-southeast-5': { account: '152034782359', version: 8 },
  'ap-southeast-6': { account: '313828097273', version: 3 },
  'ap-southeast-7': { account: '980416031188', version: 8 },
  'ca-central-1': { account: MAIN_ACCOUNT, version: 15 },
  'ca-west-1': { account: '595944127152', version: 8 },
  'cn-north-1': { account: '440179912924', version: 8 },
  'cn-northwest-1': { account: '440180067931', version: 8 },
  'eu-central-1': { account: MAIN_ACCOUNT, version: 15 },
  'eu-central-2': { account: '156041407956', version: 15 },
  'eu-north-1': { account: MAIN_ACCOUNT, version: 15 },
  'eu-south-1': { account: '257394471194', version: 15 },
  'eu-south-2': { account: '490004653786', version: 15 },
  'eu-west-1': { account: MAIN_ACCOUNT, version: 15 },
  'eu-west-2': { account: MAIN_ACCOUNT, version: 15 },
  'eu-west-3': { account: MAIN_ACCOUNT, version: 15 },
  'il-central-1': { account: '746669239226', version: 15 },
  'me-central-1': { account: '739275441131', version: 15 },
  'me-south-1': { account: '980921751758', version: 12 },
  'mx-central-1': { account: '610118373846', version: 8 },
  'sa-east-1': { account: MAIN_ACCOUNT, version: 15 },
  'us-east-1': { account: MAIN_ACCOUNT, version: 15 },
  'us-east-2': { account: MAIN_ACCOUNT, version: 15 },
  'us-west-1': { account: MAIN_ACCOUNT, version: 15 },
  'us-west-2': { account: MAIN_ACCOUNT, version: 15 },
};

/** Architectures the layer serves (Lambda's names). */
export const APPLICATION_SIGNALS_ARCHITECTURES: readonly string[] = ['x86_64', 'arm64'];

/** The layer's ARN in `region`, or `undefined` when the table has no version there. */
export function applicationSignalsLayerArn(region: string): string | undefined {
  const layer = APPLICATION_SIGNALS_LAYERS[region];
  return layer === undefined
    ? undefined
    : `arn:${partitionOf(region)}:lambda:${region}:${layer.account}:layer:AWSOpenTelemetryDistroJs:${layer.version}`;
}

/**
 * The partition of a region, from its name. aws-cdk-lib's `RegionInfo` knows it too, but its
 * region facts are 1.3 MB of code that take about 50 ms to load. A test checks this against
 * `RegionInfo` for every region of the table and every region aws-cdk-lib knows.
 */
export function partitionOf(region: string): string {
  const prefixes: ReadonlyArray<[string, string]> = [
    ['cn-', 'aws-cn'], ['us-gov-', 'aws-us-gov'], ['us-isob-', 'aws-iso-b'], ['us-isof-', 'aws-iso-f'],
    ['us-iso-', 'aws-iso'], ['eu-isoe-', 'aws-iso-e'], ['eusc-', 'aws-eusc'],
  ];
  return prefixes.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** A Lambda layer version ARN: partition, region, account, name and version. */
export const LAYER_VERSION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):layer:([A-Za-z0-9_-]+):(\d+)$/;
