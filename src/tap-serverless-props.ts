import { PipelineOptions } from './construct/pipeline-options';
import { DataValidationOptions } from './data/data-validation-options';
import { ImageProcessingOptions } from './images/image-processing-options';
import { NotificationsApiOptions } from './notifications/notifications-api-options';
import { RoutingOptions } from './routes/routing-options';

/**
 * Props of {@link TapServerless}. Every prop is optional: `new TapServerless(this, 'Tap')`
 * deploys a secure, working pipeline. They are flat, in five groups, each declared by the part of
 * the construct it configures: the pipeline's shared settings ({@link PipelineOptions}), the
 * image processor ({@link ImageProcessingOptions}), the data validator
 * ({@link DataValidationOptions}), routes of your own functions ({@link RoutingOptions}) and the
 * notifications API ({@link NotificationsApiOptions}).
 */
export interface TapServerlessProps extends PipelineOptions, ImageProcessingOptions, DataValidationOptions, RoutingOptions, NotificationsApiOptions {
}
