import { AreaPlaceholder } from '../../components/area-placeholder.js';

export function ChatPage() {
  return <AreaPlaceholder area="chat" />;
}
