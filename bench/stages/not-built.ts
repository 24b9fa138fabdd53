// Rows for stages that need the workload controllers: the table's shape is final.
import type { Row } from '../lib/table.ts';

export function notBuiltRows(): Row[] {
  return [
    { stage: '9. Deployment, 1,000 replicas → Available', result: 'n/a (not built yet)', budget: 'n/a' },
  ];
}
