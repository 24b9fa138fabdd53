// core/v1 ComponentStatus: served read-only by src/server/component-status.ts (computed, never
// stored); this row gives discovery, OpenAPI and `kubectl get cs` its verbs and columns
// (kube's printComponentStatus: STATUS, MESSAGE, ERROR).
import type { KubeObject } from '../../api/types.ts';
import type { ResourceDef } from '../types.ts';
import { column } from './core-columns.ts';

const healthy = (o: KubeObject) => (Array.isArray(o.conditions) ? o.conditions : []).find((c: any) => c?.type === 'Healthy') as
  { status?: string; message?: string; error?: string } | undefined;

export const componentStatusResource: ResourceDef = {
  group: '', version: 'v1', kind: 'ComponentStatus', plural: 'componentstatuses', singular: 'componentstatus',
  shortNames: ['cs'], categories: [], namespaced: false, verbs: ['get', 'list'], subresources: [],
  schema: 'io.k8s.api.core.v1.ComponentStatus',
  columns: [
    column('Status', 'string', 'Status of the component conditions', (o) => {
      const c = healthy(o);
      return c?.status === 'True' ? 'Healthy' : c ? 'Unhealthy' : 'Unknown';
    }),
    column('Message', 'string', 'Message of the component conditions', (o) => healthy(o)?.message ?? ''),
    column('Error', 'string', 'Error of the component conditions', (o) => healthy(o)?.error ?? ''),
  ],
  strategy: {},
};
