import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function CommunityPage() {
  return <AreaPlaceholder area="community" />;
}
