import { readFileSync } from 'node:fs';
import { GENERATED_VALIDATOR_FILE, requestValidatorSource } from '../../../scripts/gen-request-validator';

describe('the precompiled POST /notifications validator', () => {
  test('is generated from the current CREATE_NOTIFICATION_SCHEMA (run `npx projen gen:request-validator` when this fails)', () => {
    // GIVEN the committed module WHEN it is generated again THEN nothing changes
    expect(readFileSync(GENERATED_VALIDATOR_FILE, 'utf8')).toEqual(requestValidatorSource());
  });
});
