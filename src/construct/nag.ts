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
