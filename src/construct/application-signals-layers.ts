// The AWS Distro for OpenTelemetry (ADOT) JavaScript layer that CloudWatch Application Signals
// uses on Node.js Lambda functions (`applicationSignals`), per region. One layer serves both
// architectures (x86_64 and arm64). The authoritative table is "Enable your applications on
// Lambda" in the Amazon CloudWatch User Guide (CloudWatch-Application-Signals-Enable-Lambda,
// section "Lambda layers"); the versions below are those public deployments following it
// reference, read 2026-12-05, for the regions where one was found: check them against that table
// (and add regions) before a release. Versions differ by region; a region missing here fails at
// synth (src/construct/observability-settings.ts).

/** The account AWS publishes the layer from, in the regions listed. */
export const APPLICATION_SIGNALS_LAYER_ACCOUNT = '615299751070';

/** Layer version of `AWSOpenTelemetryDistroJs` per region. */
export const APPLICATION_SIGNALS_LAYER_VERSIONS: Readonly<Record<string, number>> = {
  'ap-northeast-1': 15,
  'ap-northeast-2': 5,
  'ap-southeast-2': 14,
  'eu-central-1': 9,
  'eu-west-1': 6,
};

/** Architectures the layer serves (Lambda's names). */
export const APPLICATION_SIGNALS_ARCHITECTURES: readonly string[] = ['x86_64', 'arm64'];

/** The layer's ARN in `region`, or `undefined` when the table has no version there. */
export function applicationSignalsLayerArn(region: string, partition = 'aws'): string | undefined {
  const version = APPLICATION_SIGNALS_LAYER_VERSIONS[region];
  return version === undefined
    ? undefined
    : `arn:${partition}:lambda:${region}:${APPLICATION_SIGNALS_LAYER_ACCOUNT}:layer:AWSOpenTelemetryDistroJs:${version}`;
}
