import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, GetCommandInput, PutCommand, PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

/** What `mockClient(DynamoDBDocumentClient)` returns. */
export type DocumentClientStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClientResolvedConfig>;

/**
 * Makes the mocked PutCommand behave like DynamoDB for `attribute_not_exists(#id)`: the first
 * write of an id is stored, a second one fails with ConditionalCheckFailedException.
 * `faults` makes the n-th write (1-based) fail with the given error instead, storing nothing.
 * Returns the stored items by id.
 */
export function fakeConditionalPuts(ddb: DocumentClientStub, faults: Readonly<Record<number, Error>> = {}): Map<string, Record<string, unknown>> {
  const items = new Map<string, Record<string, unknown>>();
  let calls = 0;
  ddb.on(PutCommand).callsFake(async (input: PutCommandInput) => {
    calls += 1;
    const fault = faults[calls];
    if (fault !== undefined) {
      throw fault;
    }
    const item = input.Item as Record<string, unknown>;
    const id = String(item.id);
    // `attribute_not_exists(#id) OR #expiresAt <= :now`: absent, or only an item past its TTL.
    const existing = items.get(id);
    const now = input.ExpressionAttributeValues?.[':now'] as number | undefined;
    const expired = existing !== undefined && now !== undefined && typeof existing.expiresAt === 'number' && existing.expiresAt <= now;
    if (input.ConditionExpression?.startsWith('attribute_not_exists(#id)') && existing !== undefined && !expired) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
    items.set(id, item);
    return {};
  });
  return items;
}

/** Makes the mocked GetCommand read the items stored by {@link fakeConditionalPuts}. */
export function fakeGets(ddb: DocumentClientStub, items: ReadonlyMap<string, Record<string, unknown>>): void {
  ddb.on(GetCommand).callsFake(async (input: GetCommandInput) => {
    const item = items.get(String(input.Key?.id));
    return item === undefined ? {} : { Item: item };
  });
}
