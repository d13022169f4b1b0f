import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function ReportsPage() {
  return <AreaPlaceholder area="reports" />;
}
