import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Ingestion, Route } from '../../src';
import { synth } from '../support/templates';

// The routes' checks at synth (resolveRouteSettings): every route that cannot be deployed fails, naming it.

function userFunction(stack: Stack, id: string, timeout = Duration.seconds(30)): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {}\n'),
    timeout,
  });
}

describe('routes that cannot be deployed fail at synth, naming them', () => {
  const routesOf = (...make: Array<(stack: Stack) => Route>) => () => synth(undefined, (stack) => ({ routes: make.map((m) => m(stack)) }));
  const route = (name: string, prefix: string, suffixes?: string[], id = name) =>
    (stack: Stack) => Route.fromFunction(name, userFunction(stack, `Fn${id.replace(/[^A-Za-z0-9]/g, '')}${Math.random().toString(36).slice(2, 6)}`), { prefix, suffixes });

  test.each([
    ['two routes on one prefix', [route('a', 'in/'), route('b', 'in/')], /invalid routes "b" prefix \("in\/"\): it overlaps route "a" \("in\/"\), so one upload would match both routes/],
    ['a prefix inside another', [route('a', 'in/'), route('b', 'in/sub/')], /routes "b" prefix .* overlaps route "a"/],
    ['one with suffixes inside one without', [route('a', 'in/'), route('b', 'in/', ['.csv'])], /routes "b" prefix .* overlaps route "a"/],
    ['suffixes one key can end with both of', [route('a', 'in/', ['.csv']), route('b', 'in/', ['s.csv'])], /overlaps route "a" \("in\/", suffixes \[".csv"\]\)/],
    ['the images prefix', [route('a', 'images/')], /invalid routes "a" prefix \("images\/"\): it overlaps imageInputPrefix \("images\/"\), so one upload would match both/],
    ['the thumbnails prefix', [route('a', 'thumbnails/x/')], /it overlaps imageOutputPrefix \("thumbnails\/"\), so the pipeline's outputs would be sent to the route/],
    ['a built-in name', [route('image', 'pics/')], /invalid routes\[0\]\.name \("image"\): "image" is the namespace of a built-in processor's outcomes/],
    ['a malformed name', [route('Csv', 'csv/')], /invalid routes\[0\]\.name \("Csv"\): a route's name is 1 to 32 lower-case letters/],
    ['one name twice', [route('a', 'in/', ['.x']), route('a', 'in/', ['.y'], 'a2')], /invalid routes "a" \("a"\): two routes have this name/],
    ['a prefix without "/"', [route('a', 'in')], /invalid routes "a" prefix \("in"\): a prefix must end with "\/"/],
    ['a suffix with ","', [route('a', 'in/', ['.a,b'])], /invalid routes "a" suffixes \(".a,b"\)/],
  ])('%s', (_, make, message) => {
    expect(routesOf(...make)).toThrow(message);
  });

  test('two routes on one prefix with suffixes no key ends with both of are fine', () => {
    const { tap } = routesOf(route('csv', 'in/', ['.csv']), route('tsv', 'in/', ['.tsv']))();
    expect(Object.keys(tap.routeDispatchers)).toEqual(['csv', 'tsv']);
  });

  test('a dispatcher cannot outlast Lambda\'s 15 minutes', () => {
    expect(() => synth(undefined, (stack) => ({
      ingestion: Ingestion.queue({ batchSize: 10 }),
      routes: [Route.fromFunction('slow', userFunction(stack, 'Slow', Duration.minutes(2)), { prefix: 'slow/' })],
    }))).toThrow(/invalid routes "slow" timeout \("2 minutes"\): the dispatcher waits for the function once per message of a batch \(batchSize 10\) plus 30 seconds, 1230 seconds in all, beyond Lambda's 900\. Lower Ingestion.queue\(\{ batchSize \}\)/);
    expect(() => synth(undefined, (stack) => ({
      routes: [Route.fromFunction('slow', lambda.Function.fromFunctionName(stack, 'Imported', 'slow'), { prefix: 'slow/', timeout: Duration.minutes(15) })],
    }))).toThrow(/Give the route a timeout of at most 14.5 minutes/);
  });

  test('an imported function: the dispatcher waits 14 minutes by default and invokes it by ARN', () => {
    const { template } = synth(undefined, (stack) => ({
      routes: [Route.fromFunction('ext', lambda.Function.fromFunctionArn(stack, 'Ext', 'arn:aws:lambda:eu-west-1:123456789012:function:ext'), { prefix: 'ext/' })],
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 14 * 60 + 30,
      Environment: { Variables: { TAP_ROUTE_FUNCTION: 'arn:aws:lambda:eu-west-1:123456789012:function:ext' } },
    });
  });
});
