import { scrub, synth } from './util';

// One snapshot of the default configuration, with asset hashes scrubbed. Under CI=true
// (and with projen's test task, which never updates snapshots) a mismatch fails;
// refresh deliberately with `npx projen test:update`.
test('default configuration matches the snapshot', () => {
  const { template } = synth();
  expect(scrub(template.toJSON())).toMatchSnapshot();
});
