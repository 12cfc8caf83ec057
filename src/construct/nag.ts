import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag suppression: the rule, why it does not apply, and optionally which findings. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** Finding ids (`Resource::*`) or `{ regex: '/.../' }` patterns; all findings of the rule when unset. */
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Attaches cdk-nag suppressions to the CloudFormation resource behind `construct`,
 * in the metadata format cdk-nag reads (`cdk_nag.rules_to_suppress`), so that users
 * who run cdk-nag on their app see a clean report without this library depending
 * on cdk-nag at run time. Each suppression applies to that one resource only.
 */
function cfnResourceOf(construct: IConstruct): CfnResource | undefined {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  return resource instanceof CfnResource ? resource : undefined;
}

/** Whether `construct` already carries a suppression of rule `id`. */
export function hasNagSuppression(construct: IConstruct, id: string): boolean {
  const rules: Array<{ id?: string }> = cfnResourceOf(construct)?.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  return rules.some((r) => r.id === id);
}

export function suppressNag(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = cfnResourceOf(construct);
  if (!resource) {
    throw new Error(`suppressNag: ${construct.node.path} has no CloudFormation resource to attach suppressions to.`);
  }
  const existing: Array<Record<string, unknown>> = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = suppressions.map((s) => ({
    id: s.id,
    reason: s.reason,
    ...(s.appliesTo ? { applies_to: s.appliesTo } : {}),
  }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });
}

/** `value` with the characters that are special in a regular expression escaped. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** One checkov finding that does not apply to a resource, and why. */
export interface CheckovSkip {
  /** The check, e.g. `CKV_AWS_115`. */
  readonly id: string;
  readonly comment: string;
}

/**
 * Attaches checkov skips to the CloudFormation resource behind `construct`, in the metadata checkov
 * reads (`checkov.skip`), merged with those already there. Each skip applies to that resource only.
 */
export function suppressCheckov(construct: IConstruct, skips: CheckovSkip[]): void {
  const resource = cfnResourceOf(construct);
  if (!resource) {
    throw new Error(`suppressCheckov: ${construct.node.path} has no CloudFormation resource to attach skips to.`);
  }
  const existing: CheckovSkip[] = resource.getMetadata('checkov')?.skip ?? [];
  const added = skips.filter((skip) => !existing.some((e) => e.id === skip.id));
  resource.addMetadata('checkov', { skip: [...existing, ...added.map((s) => ({ id: s.id, comment: s.comment }))] });
}

/** The checks aws-cdk-lib's own helper functions (custom resource providers) fail by design. */
export function helperFunctionSkips(what: string): CheckovSkip[] {
  return [
    { id: 'CKV_AWS_115', comment: `${what}: it runs only during deployments, so it needs no reserved concurrency.` },
    { id: 'CKV_AWS_116', comment: `${what}: invoked synchronously by CloudFormation, which reports its failures; no event to dead-letter.` },
    { id: 'CKV_AWS_117', comment: `${what}: it calls AWS APIs only and reaches nothing private, so it needs no VPC.` },
  ];
}

/** CloudWatch Logs encrypts every log group; a KMS key of its own is not needed for what the construct logs. */
export const LOG_GROUP_KMS_SKIP: CheckovSkip = {
  id: 'CKV_AWS_158',
  comment: 'CloudWatch Logs encrypts log data at rest; these logs hold request metadata and object keys, no object content or secrets.',
};
