// Versions measured to work together on our build machines (docs/toolchain.md).
// aws-cdk-lib 2.257.0 is the last release on cloud-assembly schema 53, which is
// the newest schema the newest integ-runner understands. It is our *minimum*
// supported version: consumers may use any newer 2.x.
export const CDK_VERSION = '2.257.0';
export const AWS_SDK_VERSION = '3.1169.0';
export const POWERTOOLS_VERSION = '2.36.0';
// sharp (libvips) for the image processor: a dev dependency (the tests generate images with it)
// pinned exactly, and the same version installed per architecture into the image function's
// assets by `bundle:image-processor:sharp`. 0.35 needs Node >= 20.9 and glibc >= 2.28 (Lambda
// nodejs24.x runs on Amazon Linux 2023, glibc 2.34).
export const SHARP_VERSION = '0.35.5';
