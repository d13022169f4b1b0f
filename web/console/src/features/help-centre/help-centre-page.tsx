import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function HelpCentrePage() {
  return <AreaPlaceholder area="helpCentre" />;
}
