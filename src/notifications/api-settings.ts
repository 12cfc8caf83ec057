import { Annotations, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiAuthorization, ApiAuthorizationType } from './api-authorization';
import type { NotificationsApiOptions } from './notifications-api-options';
import { fail } from '../construct/validation';
import { DEFAULT_EXPORT_MAX_RANGE_SECONDS } from '../contract/notifications-model';

/** The notifications API's defaults; the `@default` of each option in its TSDoc says the same. */
export const API_DEFAULTS = {
  apiAuthorization: ApiAuthorization.iam(),
  apiThrottlingRateLimit: 50,
  apiThrottlingBurstLimit: 100,
  apiExportMaxConcurrency: 2,
  apiExportMaxRange: Duration.days(DEFAULT_EXPORT_MAX_RANGE_SECONDS / 86_400),
  apiAccessLogging: true,
  apiCloudWatchRole: true,
  apiObjectives: {
    availabilityPercent: 99.9,
    latencyThreshold: Duration.seconds(2),
    latencyPercentile: 99,
    latencyAttainmentPercent: 99.9,
    window: Duration.days(28),
    burnRateAlarmThreshold: 14.4,
  },
} as const;

/** {@link NotificationsApiOptions} resolved: every default applied, every value checked. */
export interface ApiSettings {
  readonly authorization: ApiAuthorization;
  readonly corsAllowedOrigins?: string[];
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  /** Reserved concurrency of the export function, and the burst of its method. */
  readonly exportMaxConcurrency: number;
  /** Longest since–until range of one export. */
  readonly exportMaxRange: Duration;
  readonly accessLogging: boolean;
  readonly cloudWatchRole: boolean;
  /** `apiObjectives` (undefined: no SLOs). */
  readonly objectives?: ApiObjectiveSettings;
}

/** `apiObjectives` resolved. */
export interface ApiObjectiveSettings {
  readonly availabilityPercent: number;
  readonly latencyThreshold: Duration;
  readonly latencyPercentile: number;
  readonly latencyAttainmentPercent: number;
  readonly windowDays: number;
  readonly burnRateAlarmThreshold: number;
}

/** Applies the defaults and checks every API option; warnings for risky but legal choices go on `scope`. */
export function resolveApiSettings(scope: Construct, options: NotificationsApiOptions): ApiSettings {
  const throttlingRateLimit = options.apiThrottlingRateLimit ?? API_DEFAULTS.apiThrottlingRateLimit;
  const throttlingBurstLimit = options.apiThrottlingBurstLimit ?? API_DEFAULTS.apiThrottlingBurstLimit;
  validateThrottling(throttlingRateLimit, throttlingBurstLimit);
  const exportMaxConcurrency = options.apiExportMaxConcurrency ?? API_DEFAULTS.apiExportMaxConcurrency;
  const exportMaxRange = options.apiExportMaxRange ?? API_DEFAULTS.apiExportMaxRange;
  validateExportLimits(exportMaxConcurrency, exportMaxRange);
  if (options.apiCorsAllowedOrigins) {
    validateCorsOrigins(options.apiCorsAllowedOrigins);
    if (options.apiCorsAllowedOrigins.includes('*')) {
      Annotations.of(scope).addWarningV2('cdk-tap-serverless:corsWildcard',
        'apiCorsAllowedOrigins includes "*": any web page may call the API from a browser. List your origins instead.');
    }
  }
  const authorization = options.apiAuthorization ?? API_DEFAULTS.apiAuthorization;
  if (authorization.type === ApiAuthorizationType.NONE) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:noAuthorization',
      'apiAuthorization is ApiAuthorization.none(): anyone who knows the URL can read and create notifications.');
  }
  const accessLogging = options.apiAccessLogging ?? API_DEFAULTS.apiAccessLogging;
  if (!accessLogging) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:noAccessLogs', 'apiAccessLogging is false: API requests will not be logged.');
  }
  return {
    authorization,
    corsAllowedOrigins: options.apiCorsAllowedOrigins,
    throttlingRateLimit,
    throttlingBurstLimit,
    exportMaxConcurrency,
    exportMaxRange,
    accessLogging,
    cloudWatchRole: options.apiCloudWatchRole ?? API_DEFAULTS.apiCloudWatchRole,
    objectives: resolveApiObjectives(options),
  };
}

/** Resolves `apiObjectives`: every default applied, every value checked. */
function resolveApiObjectives(options: NotificationsApiOptions): ApiObjectiveSettings | undefined {
  const given = options.apiObjectives;
  if (given === undefined) {
    return undefined;
  }
  const d = API_DEFAULTS.apiObjectives;
  const resolved: ApiObjectiveSettings = {
    availabilityPercent: given.availabilityPercent ?? d.availabilityPercent,
    latencyThreshold: given.latencyThreshold ?? d.latencyThreshold,
    latencyPercentile: given.latencyPercentile ?? d.latencyPercentile,
    latencyAttainmentPercent: given.latencyAttainmentPercent ?? d.latencyAttainmentPercent,
    windowDays: (given.window ?? d.window).toDays({ integral: false }),
    burnRateAlarmThreshold: given.burnRateAlarmThreshold ?? d.burnRateAlarmThreshold,
  };
  const percent = (prop: string, value: number, what: string) => {
    if (!(Number.isFinite(value) && value > 0 && value < 100)) {
      fail(`apiObjectives.${prop}`, value, `${what} is a percentage greater than 0 and less than 100`, 'Use, for example, 99.9.');
    }
  };
  percent('availabilityPercent', resolved.availabilityPercent, 'the availability objective');
  percent('latencyPercentile', resolved.latencyPercentile, 'the latency percentile');
  percent('latencyAttainmentPercent', resolved.latencyAttainmentPercent, 'the share of periods meeting the latency objective');
  const latencyMs = resolved.latencyThreshold.toMilliseconds();
  if (!(latencyMs > 0 && latencyMs <= 29_000)) {
    fail('apiObjectives.latencyThreshold', resolved.latencyThreshold.toHumanString(),
      'the latency objective must be more than 0 and at most 29 seconds (API Gateway\'s integration timeout)', 'Use, for example, Duration.seconds(2).');
  }
  if (!(Number.isInteger(resolved.windowDays) && resolved.windowDays >= 1 && resolved.windowDays <= 365)) {
    fail('apiObjectives.window', (given.window ?? d.window).toHumanString(),
      'the rolling window of an Application Signals SLO is a whole number of days from 1 to 365', 'Use, for example, Duration.days(28).');
  }
  if (!(Number.isFinite(resolved.burnRateAlarmThreshold) && resolved.burnRateAlarmThreshold > 0)) {
    fail('apiObjectives.burnRateAlarmThreshold', resolved.burnRateAlarmThreshold, 'a burn rate is a number greater than 0',
      'Use, for example, 14.4 (2 % of a 30-day error budget spent in one hour).');
  }
  return resolved;
}

/** Largest `apiExportMaxConcurrency`: Lambda keeps at least 100 of an account's concurrency unreserved (1,000 by default). */
const MAX_EXPORT_CONCURRENCY = 100;

export function validateExportLimits(concurrency: number, range: Duration): void {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_EXPORT_CONCURRENCY) {
    fail('apiExportMaxConcurrency', concurrency, `it must be a whole number from 1 to ${MAX_EXPORT_CONCURRENCY}`,
      'Use, for example, 2: each export holds one execution for up to 15 minutes.');
  }
  const seconds = range.toSeconds();
  if (seconds < 3600 || seconds > 366 * 86_400) {
    fail('apiExportMaxRange', range.toHumanString(), 'it must be from 1 hour to 366 days', 'Use, for example, Duration.days(31).');
  }
}

export function validateThrottling(rate: number, burst: number): void {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    fail('apiThrottlingRateLimit', rate, 'it must be a positive number of requests per second', 'Use, for example, 50.');
  }
  if (!Number.isInteger(burst) || burst < 1) {
    fail('apiThrottlingBurstLimit', burst, 'it must be a positive whole number of requests', 'Use, for example, 100.');
  }
}

/** CORS origins: `https://host[:port]` (or `http://localhost[:port]`), or "*" (allowed, with a warning). */
export function validateCorsOrigins(origins: string[]): void {
  if (origins.length === 0) {
    fail('apiCorsAllowedOrigins', origins, 'an empty list would enable CORS for no origin',
      'Leave it unset to disable CORS, or list origins such as "https://app.example.com".');
  }
  for (const origin of origins) {
    if (origin === '*') continue;
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      fail('apiCorsAllowedOrigins', origin, 'an origin is a scheme, a host and an optional port, with no path or trailing "/"',
        'Use, for example, "https://app.example.com".');
    }
  }
}
