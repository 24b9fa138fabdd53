// Rows for stages that need controllers, the scheduler and kubelets: the table's shape is final.
import type { Row } from '../lib/table.ts';

export function notBuiltRows(): Row[] {
  return [
    { stage: '8. pods/s, create → Running', result: 'n/a (not built yet)', budget: 'n/a' },
    { stage: '9. Deployment, 1,000 replicas → Available', result: 'n/a (not built yet)', budget: 'n/a' },
  ];
}
