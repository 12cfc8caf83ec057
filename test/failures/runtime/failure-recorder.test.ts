import { failureReason } from '../../../src/failures/runtime/failure-recorder';

// What a failed outcome says went wrong, from the dead-letter message of each failure path
// (the recording itself runs bundled against moto: test/failures/emulator.failure-recorder.test.ts).

const attribute = (stringValue: string) => ({ dataType: 'String', stringValue, stringListValues: [], binaryListValues: [] });

describe('failureReason', () => {
  test('Lambda\'s dead-letter message: its ErrorMessage', () => {
    expect(failureReason({ messageAttributes: { ErrorMessage: attribute('Task timed out after 60.02 seconds') } }, 3)).toBe('Task timed out after 60.02 seconds');
  });

  test('an EventBridge rule\'s dead letter: its ERROR_MESSAGE', () => {
    expect(failureReason({ messageAttributes: { ERROR_MESSAGE: attribute('Lambda function invocation failed') } }, 3)).toBe('Lambda function invocation failed');
  });

  test('a queue\'s redrive carries no error: the attempts, and where the errors are', () => {
    expect(failureReason({ messageAttributes: {} }, 5)).toBe('its event failed 5 attempts (the errors are in the function\'s logs)');
    expect(failureReason({ messageAttributes: {} }, 1)).toBe('its event failed 1 attempt (the errors are in the function\'s logs)');
  });

  test('a long error is cut at 1024 characters and marked', () => {
    const reason = failureReason({ messageAttributes: { ErrorMessage: attribute('x'.repeat(5000)) } }, 3);
    expect(reason).toHaveLength(1025);
    expect(reason.endsWith('…')).toBe(true);
  });
});
