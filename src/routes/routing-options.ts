import { Route } from './route';

/** Routes of your own functions, beside the built-in image and data processors. */
export interface RoutingOptions {
  /**
   * Routes of your own functions: each takes the objects under its prefix (and suffixes) and gets
   * the pipeline's guarantees, alarms and dashboard row (see `Route.fromFunction`). The image and
   * data processors keep their prefixes; no route may share a key with them, with each other or
   * with the output prefixes (checked at synth, naming both).
   *
   * @default - no routes: the image and data processors only
   */
  readonly routes?: Route[];
}
