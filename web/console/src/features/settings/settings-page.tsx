import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function SettingsPage() {
  return <AreaPlaceholder area="settings" />;
}
