import { awscdk, javascript } from 'projen';
import { SHARP_VERSION } from './versions';

// Bundle AWS SDK v3 (no externals), minified, preferring ES modules: the smallest bundle and
// fastest module load we measured (docs/toolchain.md). projen forwards these to `addBundle`, whose
// options (minify, mainFields) are wider than the `BundlingOptions` type it declares.
export const FUNCTION_BUNDLING: javascript.AddBundleOptions = {
  target: 'node24',
  platform: 'node',
  externals: [],
  minify: true,
  mainFields: ['module', 'main'],
  watchTask: false,
  tsconfigPath: 'tsconfig.dev.json',
  esbuildArgs: {
    // The AWS SDK's default credential chain brings STS, SSO and sign-in clients (about 95 KiB minified)
    // that a function never runs: Lambda passes the role's credentials in environment variables. The
    // functions keep the environment and container-endpoint links (scripts/bundle-shims/lambda-credentials.js).
    '--alias:@aws-sdk/credential-provider-node=./scripts/bundle-shims/lambda-credentials.js': true,
    // esbuild exports `handler` as a getter that cannot be redefined; wrappers that replace the
    // handler (the OpenTelemetry layer of `applicationSignals`) need a plain, writable property.
    '--footer:js=module.exports=Object.assign({},module.exports);': true,
  },
};

/** The function bundles, the image processor's per-architecture assets and their hashes, the operations command's bundle, and the package's checks. */
export function addBundles(project: awscdk.AwsCdkConstructLibrary): void {
  // The functions' bundles (assets/<feature>/<name>.lambda/index.js). The construct builds every
  // function from its bundle with one factory (src/construct/function-factory.ts), so projen generates no
  // Function classes. The data validator's code is the bundle plus the precompiled schema
  // (src/data/data-validator-code.ts).
  // Each bundle's esbuild metafile (what it is made of) goes to .tmp/bundle-meta/, outside the asset:
  // test/packaging/bundle-contents.test.ts reads them.
  const functionBundling = (name: string, options: Partial<javascript.AddBundleOptions> = {}): javascript.AddBundleOptions => ({
    ...FUNCTION_BUNDLING,
    ...options,
    esbuildArgs: { ...FUNCTION_BUNDLING.esbuildArgs, [`--metafile=.tmp/bundle-meta/${name}.json`]: true },
  });
  project.bundler.addBundle('src/notifications/notification-handler.lambda.ts', functionBundling('notification-handler'));
  // GET /notifications/export: a Lambda response-streaming handler, so a function of its own.
  project.bundler.addBundle('src/notifications/notification-export.lambda.ts', functionBundling('notification-export'));
  project.bundler.addBundle('src/data/data-validator.lambda.ts', functionBundling('data-validator'));
  // One dispatcher per route of a function of the user's (src/routes/): the same bundle, its route in the environment.
  project.bundler.addBundle('src/routes/route-dispatcher.lambda.ts', functionBundling('route-dispatcher'));
  // Records the objects of every event that failed every attempt, then forwards the event to the dead-letter queue.
  project.bundler.addBundle('src/failures/failure-recorder.lambda.ts', functionBundling('failure-recorder'));

  // The image processor: bundled with sharp external (a native module cannot be bundled), then
  // `scripts/sharp-assets.sh` copies the bundle into one asset folder per architecture
  // (assets/images/image-processor.lambda-arm64 and -x64) and installs sharp's linux-glibc
  // binaries for that architecture beside it with npm's --os/--cpu/--libc flags.
  // The construct picks the folder by the function's architecture.
  const imageBundle = project.bundler.addBundle('src/images/image-processor.lambda.ts', functionBundling('image-processor', {
    externals: ['sharp'],
  }));
  const sharpAssets = project.addTask('bundle:image-processor:sharp', {
    description: 'Install sharp\'s native binaries into the image processor\'s per-architecture asset folders',
    steps: [
      { exec: `bash scripts/sharp-assets.sh ${imageBundle.outdir} ${SHARP_VERSION}` },
      // Each folder zipped (deterministically): the construct deploys the zip as it is, so a synth copies
      // one 9 MB file into cdk.out instead of 128 files (21 MB), and a deploy uploads it without zipping.
      { exec: `python3 scripts/zip-asset.py ${imageBundle.outdir}-arm64 ${imageBundle.outdir}-x64` },
    ],
  });
  project.tasks.tryFind('bundle')!.spawn(sharpAssets);
  // Last step of `bundle`: the content hash of every function's code asset, computed once here and
  // shipped in assets/asset-hashes.json, so that a consumer's synth passes it to the CDK as a custom
  // asset hash instead of fingerprinting the assets (21 MB of sharp for the image processor) every time.
  const assetHashes = project.addTask('bundle:asset-hashes', {
    description: 'Write assets/asset-hashes.json: the content hash of every function\'s code asset',
    steps: [{ exec: 'ts-node --project tsconfig.dev.json scripts/asset-hashes.ts' }],
  });
  project.tasks.tryFind('bundle')!.spawn(assetHashes);
  // The sharp-less bundle is only the source of the two per-architecture folders, and the folders only the
  // source of the zips the construct deploys (the tests run the x64 folder): neither is shipped.
  project.npmignore?.addPatterns(`/${imageBundle.outdir}/`, `/${imageBundle.outdir}-arm64/`, `/${imageBundle.outdir}-x64/`);

  // Handler tests and construct tests synthesize the bundled assets: bundle before testing,
  // so that `npm ci && npx projen test` works on a fresh clone.
  const bundleTask = project.tasks.tryFind('bundle');
  if (bundleTask) {
    project.testTask.prependSpawn(bundleTask);
  }

  // `build` packages the npm module only, with or without CI; the Python, Java and Go packages
  // are built by `package-all` (they need PyPI, Maven Central and the Go proxy).
  project.packageTask.reset();
  project.packageTask.spawn(project.tasks.tryFind('package:js')!);
  // The npm tarball must carry both architectures' sharp binaries (Python/Java/Go consumers
  // cannot install them at synth time): fail the build when it does not.
  const checkPackage = project.addTask('package:check-assets', {
    description: 'Check that the npm tarball holds the image processor\'s sharp binaries for arm64 and x64',
    steps: [{ exec: 'bash scripts/check-package-assets.sh dist/js' }],
  });
  project.packageTask.spawn(checkPackage);

  // `npx cdk-tap-serverless redrive …`: the dead-letter queue redrive command, bundled with its
  // AWS SDK clients into one file shipped in the package (no runtime dependencies).
  project.bundler.addBundle('src/cli/main.ts', {
    platform: 'node',
    target: 'node20',
    externals: [],
    minify: true,
    mainFields: ['module', 'main'],
    executable: true,
    banner: '#!/usr/bin/env node',
    watchTask: false,
    esbuildArgs: { '--metafile=.tmp/bundle-meta/cli.json': true },
  });
  project.addBins({ 'cdk-tap-serverless': 'assets/cli/main/index.js' });
  // (Its dev dependencies are allowed by the code boundaries: projenrc/boundaries.ts.)
}
