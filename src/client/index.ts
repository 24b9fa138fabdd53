// The client package: what workers import to reach the API.
export { ApiError, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, isTooManyRequests, parseStatus } from './errors.ts';
export { EventRecorder, referenceTo, type EventDetails, type EventLog, type EventRecorderOptions, type EventType, type ObjectReference } from './events.ts';
export { failureCause, retryReporter, type RetryLogger, type RetryReporter } from './retry-log.ts';
export { SharedInformer, type DeleteInfo, type EventHandler, type InformerOptions } from './informer.ts';
export { InformerFactory, type FactoryOptions } from './informer-factory.ts';
export { defaultKubeconfigPath, loadKubeconfig, parseKubeconfig, type ClientConfig, type LoadKubeconfigOptions } from './kubeconfig.ts';
export { TokenBucket, sleep } from './rate-limit.ts';
export { apiVersionOf, resourcePath, resources, type ResourceDescriptor } from './resource.ts';
export {
  ApiClient, defaultUserAgent,
  type ApiClientOptions, type DeleteOptions, type KubeList, type ListOptions, type PatchOptions, type PatchType, type WatchOptions, type WriteOptions,
} from './rest.ts';
export { formatLabelSelector, labelMatcher, parseLabelSelector, type LabelSelector, type LabelSelectorRequirement } from '../api/label-selector.ts';
export { controllerIndex, defaultIndexers, labelIndex, namespaceIndex, objectKey, splitKey, Store, type IndexFunc } from './store.ts';
export { LineSplitter, type Watch, type WatchEnd, type WatchEvent } from './watch.ts';
export {
  BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, runWorkers, WorkQueue,
  type RateLimiter, type ReconcileResult, type RunWorkersOptions,
} from './workqueue.ts';
