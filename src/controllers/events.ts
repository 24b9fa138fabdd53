// The controllers' event recorder: the client's shared core/v1 Event recorder (legacy
// client-go recorder semantics, repeats bumped), one per controller, named by component.
import { EventRecorder as ClientEventRecorder, type ApiClient } from '../client/index.ts';
import type { ControllerLog } from './types.ts';

export { referenceTo, type EventType, type ObjectReference } from '../client/index.ts';

export class EventRecorder extends ClientEventRecorder {
  constructor(client: ApiClient, component: string, log?: ControllerLog) {
    super(client, { component, log, concurrency: 8 });
  }
}
