import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function InboxPage() {
  return <AreaPlaceholder area="inbox" />;
}
