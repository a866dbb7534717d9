import type { NotificationSender } from '@realtime/contracts';

/** Who a notification is from, as the UI says it: "from alice", or "from the system". */
export function formatSender(sender: NotificationSender | undefined): string {
  if (!sender || 'system' in sender) return 'from the system';
  return `from ${sender.username}`;
}
