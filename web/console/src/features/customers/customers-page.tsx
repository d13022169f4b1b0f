import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function CustomersPage() {
  return <AreaPlaceholder area="customers" />;
}
